// Package presence keeps a desk's agent states and their Salesforce
// Omni-Channel presence statuses in step, both ways, through presence
// rules (the desk.presence section of bot.yaml, [Decode]).
//
// A rule has publish lines (desk state → ServicePresenceStatus developer
// name) and subscribe lines (developer name → desk state, or previous:
// the state the agent was in before its last change), and is assigned to
// teams and/or agents. An agent's own assignment beats its teams'; an
// agent not listed by any rule follows the first rule, in file order, that
// lists one of its teams; listing an agent in two rules is an error.
// Publish keys: available, busy, unavailable (every reason without its own
// line), unavailable/<reason>, offline; a state without a line is not
// published. Subscribe targets: available, unavailable, unavailable/<reason>,
// offline, previous. busy is refused as a target, because the desk sets it
// itself while an agent holds conversations up to capacity; map such a
// status to unavailable/<reason>. A bare unavailable target leaves an
// unavailable agent's reason as it is and sets no reason otherwise.
//
// The [Syncer] runs both directions for one bot:
//
//   - Publisher: every desk state change whose origin is not "salesforce"
//     (the desk's WatchStates; published by the instance that made it when
//     the desk implements [LocalEvents], else by the instance holding the
//     poll lock, which the others stand in for when it stops) is mapped
//     through the agent's rule and written for the agent's
//     linked Salesforce user through the Apex REST class
//     POST /services/apexrest/dialogd/presence (UserServicePresence cannot
//     be written through the data API). Agents without a link are skipped
//     and counted. Changes are coalesced per agent; one Salesforce cannot
//     take for a passing reason is retried with a backoff.
//   - Subscriber: one instance at a time (the [Shared] lock) polls
//     UserServicePresence rows with IsCurrentState = true and
//     SystemModstamp at or after its high-water mark every poll_every,
//     finds the agent by linked user id, maps the status through the
//     agent's rule and sets the desk state with origin "salesforce".
//
// No echo: a row the publisher wrote (its id, or the user and status it
// was about to write) is not applied back, and a change applied from
// Salesforce is not published back, except when the desk keeps the agent
// busy (made available while holding a full load): then Salesforce is
// told the busy status. Errors never stop the Syncer: it
// backs off up to a cap, keeps its mark and catches up when Salesforce is
// back; an expired token is renewed by sfapi. [Syncer.Status] says when it
// is behind, for /readyz and the dialogd_presence_sync_behind gauge.
package presence
