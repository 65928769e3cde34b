// Package sfapi is a small server-side Salesforce REST client for the
// live-agent desk: presence sync, the customer directory import and user
// linking call Salesforce as the bot (a pre_authorized auth profile of
// kind oauth2_password or oauth2_jwt_bearer), not on behalf of a turn's
// user.
//
// A [Client] takes its token and instance URL from an [Authorizer] (what
// auth.Manager implements, called with a nil turn). It runs SOQL queries
// following nextRecordsUrl ([Client.Query], [Client.QueryAll] with the
// recycle bin), reads, creates, updates and deletes records
// ([Client.Get], [Client.Create], [Client.Update], [Client.Delete]) and calls Apex
// REST classes ([Client.Apex]). A 401 (INVALID_SESSION_ID: the session
// timed out mid-sync) makes it call the profile's Refresh once and retry
// the request once.
//
// Salesforce's errors come back as *[Error] with the HTTP status and the
// first errorCode and message of Salesforce's error list; transport
// failures (connection refused, timeouts) are wrapped as they are. Use
// [Temporary] to tell an outage worth retrying later from a request
// Salesforce refuses. The client logs nothing; tokens never appear in its
// errors.
package sfapi
