// Command sfsim runs the Salesforce emulator of package sfsim as a server.
//
//	sfsim [-addr 127.0.0.1:8787] [-fixture org.yaml] [-data state.json] [-my-domain host] [-callback-url URL]...
//	sfsim -print-credentials
//
// At start it prints the password-flow credentials the org was seeded with;
// -print-credentials prints them as one JSON object and exits.
//
// The demo org's connected app accepts the callback URLs of botd on its
// default address (http://localhost:8080/oauth/callback and
// http://127.0.0.1:8080/oauth/callback). Each -callback-url adds one more to
// the first connected app, e.g. -callback-url http://127.0.0.1:9090/oauth/callback
// for botd started with -addr 127.0.0.1:9090.
package main
