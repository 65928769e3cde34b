package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/botforge/dialogd/desk"
	"github.com/botforge/dialogd/desk/sfapi"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/web"
)

// openDesk builds the live-agent desk of a bot whose bot.yaml has a desk:
// section, and makes it the runtime's Handoffs; nil for a bot without one.
func (s *server) openDesk(bot *dialog.Bot, tn *tenant, ropts *dialog.Options) error {
	name := bot.Config.Name
	cfg, err := desk.Decode(path.Join(bot.Dir, "bot.yaml"), &bot.Config.Desk)
	if err != nil || cfg == nil {
		return err
	}
	store := desk.NewMemoryStore()
	if s.rdb != nil {
		store = desk.NewRedisStore(s.rdb, name)
	}
	if s.deskMetrics == nil {
		s.deskMetrics = desk.NewMetrics(s.reg)
	}
	d, err := desk.New(name, cfg, store, deskUsers{s: s, bot: name}, desk.Options{
		Logger: s.log, Metrics: s.deskMetrics, Title: botTitle(bot), SalesforceUsers: s.salesforceUsers(tn, cfg.Salesforce),
		PageTimeout: s.cfg.DeskPageTimeout,
	})
	if err != nil {
		return fmt.Errorf("bot %s: %w", name, err)
	}
	tn.desk = d
	ropts.Handoffs = handoffs{d}
	return s.openPresence(bot, tn, cfg, d)
}

// deskUsers is the user side of a bot's desk: the bot's runtime, and the
// bus to the instance that holds the user's socket.
type deskUsers struct {
	s   *server
	bot string
}

func (u deskUsers) AgentEvent(ctx context.Context, session, user string, ev desk.UserEvent) error {
	tn := u.s.tenants[u.bot]
	frames, err := tn.rt.Runtime().AgentEvent(ctx, session, user, dialog.AgentEvent{
		Kind: ev.Kind, ID: ev.ID, Agent: ev.Agent, SalesforceUser: ev.SalesforceUser,
		Text: ev.Text, Position: ev.Position, Wait: ev.Wait,
	})
	if err != nil || len(frames) == 0 {
		return err
	}
	return u.s.bus.Publish(ctx, u.bot+"\x00"+session, frames)
}

func (u deskUsers) AgentTyping(ctx context.Context, session, agent string) error {
	frame, err := json.Marshal(map[string]string{"type": "agent_typing", "agent": agent})
	if err != nil {
		return err
	}
	return u.s.bus.Publish(ctx, u.bot+"\x00"+session, [][]byte{frame})
}

// handoffs is a desk as the runtime's Handoffs.
type handoffs struct{ d *desk.Desk }

func (h handoffs) Request(ctx context.Context, r dialog.HandoffRequest) (dialog.HandoffTicket, error) {
	tk, err := h.d.Request(ctx, desk.Request{Session: r.Session, User: r.User, Lang: r.Lang, Queue: r.Queue,
		Reason: r.Reason, Wait: r.Wait, Transcript: r.Transcript, Context: r.Context, Customer: r.Customer})
	return dialog.HandoffTicket{ID: tk.ID, NoAgent: tk.NoAgent, LeaveMessageTask: tk.LeaveMessageTask,
		Agent: tk.Agent, SalesforceUser: tk.SalesforceUser, Position: tk.Position, Wait: tk.Wait}, err
}

func (h handoffs) UserSaid(ctx context.Context, id, msgID, text string) error {
	return h.d.UserSaid(ctx, id, msgID, text)
}

func (h handoffs) UserLeft(ctx context.Context, id string) error { return h.d.UserLeft(ctx, id) }

// deskServer serves /desk/ for the bots that have a desk; nil when none
// has.
func (s *server) deskServer() *desk.Server {
	desks := map[string]*desk.Desk{}
	for name, tn := range s.tenants {
		if tn.desk != nil {
			desks[name] = tn.desk
		}
	}
	if len(desks) == 0 {
		return nil
	}
	return &desk.Server{Desks: desks, Key: subKey(s.cfg.Secret, "desk"), Page: deskPage(),
		Secure: isHTTPS(s.cfg.PublicURL), ClientIP: wsClientIP(&s.cfg.Edge), Log: s.log}
}

// runDesks follows the desks' changes across instances, and runs the
// presence syncs and the directory imports, until ctx ends.
func (s *server) runDesks(ctx context.Context) {
	for name, tn := range s.tenants {
		if tn.desk != nil {
			go tn.desk.Run(ctx)
		}
		if tn.presence != nil {
			go func() {
				if err := tn.presence.Run(ctx); err != nil && ctx.Err() == nil {
					s.log.Error("presence sync stopped", "bot", name, "err", err)
				}
			}()
		}
		if tn.directory != nil {
			go func() {
				if err := tn.directory.Run(ctx); err != nil && ctx.Err() == nil {
					s.log.Error("directory sync stopped", "bot", name, "err", err)
				}
			}()
		}
	}
}

// salesforceUsers finds agents' Salesforce users through the desk's auth
// profile; nil when the desk names none.
func (s *server) salesforceUsers(tn *tenant, profile string) desk.SalesforceUsers {
	if profile == "" || tn.auth == nil {
		return nil
	}
	return sfUsers{c: &sfapi.Client{Auth: tn.auth, Profile: profile, HTTP: s.serviceHC}}
}

type sfUsers struct{ c *sfapi.Client }

func (u sfUsers) UserID(ctx context.Context, username string) (string, error) {
	var id string
	soql := "SELECT Id FROM User WHERE Username = '" + nodes.EscapeSOQL(username) + "' AND IsActive = true LIMIT 1"
	err := u.c.Query(ctx, soql, func(rec map[string]any) error {
		id, _ = rec["Id"].(string)
		return nil
	})
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", desk.ErrNoSuchSalesforceUser
	}
	return id, nil
}

// isHTTPS reports whether botd's public address is https.
func isHTTPS(publicURL string) bool { return strings.HasPrefix(publicURL, "https://") }

// deskPage serves the desk page's files.
func deskPage() http.Handler { return web.DeskHandler() }

// botTitle names a bot to agents: the first sentence of its description,
// or its name.
func botTitle(bot *dialog.Bot) string {
	d := strings.TrimSpace(bot.Config.Description)
	if i := strings.Index(d, ". "); i >= 0 {
		d = d[:i]
	}
	d = strings.TrimSuffix(d, ".")
	if d == "" || len(d) > 80 {
		return bot.Config.Name
	}
	return d
}
