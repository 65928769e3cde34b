// Command sfsim runs the Salesforce emulator of package sfsim as a server.
//
//	sfsim [-addr 127.0.0.1:8787] [-fixture org.yaml] [-data state.json] [-my-domain host]
//	sfsim -print-credentials
//
// At start it prints the password-flow credentials the org was seeded with;
// -print-credentials prints them as one JSON object and exits.
package main
