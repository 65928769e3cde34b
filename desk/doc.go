// Package desk is the live-agent desk: the agents, teams and queues a bot
// hands conversations over to, the agents' states and their routing, and
// the relay of messages between a user's widget and an agent's desk page.
//
// One Desk serves one bot (the desk: section of its bot.yaml, [Decode]).
// Its shared state, the [Board] (every agent's state and every handed-off
// conversation), lives in a [Store]: in memory for one process, or in
// Redis so that several botd instances serve one desk: a user's socket on
// one instance, the agent's page on another. Every change goes through
// Store.Update, which runs routing on the new board in the same
// transaction: a conversation goes only to an available agent of one of
// its queue's teams with free capacity, the agent idle longest first.
// Instances hear of each other's changes through Store.Subscribe.
//
// The user side of a conversation belongs to the dialog runtime: the desk
// implements its Handoffs (Request, UserSaid, UserLeft) and tells it what
// agents do through [Users].
package desk
