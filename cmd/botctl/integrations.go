package main

// Integrations' node types register themselves when their package is
// imported: importing one here makes its type known to every bot this
// command loads.
import (
	_ "github.com/botforge/dialogd/nodes/salesforce"
)
