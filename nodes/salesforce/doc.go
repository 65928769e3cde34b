// Package salesforce is the salesforce node type: one node that creates,
// updates, upserts, deletes, reads, finds and searches Salesforce records,
// converts leads and reads an object's picklist values, through the bot's
// Salesforce auth profile.
//
// It is the example of how an integration is added to the runtime: a
// package of its own under nodes/ that registers its node type from init
// (import it for its side effect, as cmd/botd and cmd/botctl do), builds
// on the node API of package nodes only ([nodes.APICall] for the HTTP call,
// [nodes.Reask] to ask the user again), and keeps its phrases in the
// shared phrase tables under the salesforce. prefix.
//
// A task that uses it reads as a conversation:
//
//   - id: create_lead
//     type: salesforce
//     operation: create
//     object: Lead
//     fields:
//     FirstName: "{{ entities.first_name }}"
//     LastName: "{{ entities.last_name }}"
//     Company: "{{ entities.company }}"
//     Email: "{{ entities.email }}"
//     ask_again: {LastName: last_name, Company: company, Email: email}
//     next: created
//
// Values from the conversation never become SOQL or SOSL syntax: a find's
// filter is built from a map of field names to values, each value quoted
// as a SOQL string literal (LIKE wildcards escaped where they would act as
// wildcards), and a search term goes to parameterizedSearch as a query
// parameter. A phone condition ({Phone: {phone: "{{ entities.phone }}"}})
// puts only the number's digits into the query and keeps the records whose
// stored number, normalised to E.164, is the number (phone.go).
package salesforce
