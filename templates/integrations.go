package templates

// The catalogue's templates use integrations' node types, which register
// themselves when their package is imported.
import (
	_ "github.com/botforge/dialogd/nodes/salesforce"
)
