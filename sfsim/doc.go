// Package sfsim is a Salesforce emulator: one in-memory org that answers the
// OAuth, REST data, SOQL and SOAP calls dialogd makes exactly as Salesforce
// does, for tests (as a library) and demos (cmd/sfsim).
package sfsim
