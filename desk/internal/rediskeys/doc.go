// Package rediskeys holds what the desk's packages keep in Redis in the
// same way: a JSON value under a key, and a lock one instance holds at a
// time, taken and released with a token of its own.
package rediskeys
