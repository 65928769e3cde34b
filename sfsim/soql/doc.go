// Package soql is the SOQL and SOSL engine of the Salesforce emulator: it
// parses queries exactly as Salesforce's API does (same escapes, same
// errors) and runs them against any [Source].
//
// # Use
//
//	q, err := soql.Parse("SELECT Id, Account.Name FROM Contact WHERE Email = " + soql.Quote(email))
//	if err != nil { … }                       // *soql.Error{Code, Message}
//	res, err := soql.Execute(q, src, soql.Options{Version: "62.0"})
//
// [Quote] and [QuoteLike] are the escaping functions callers must use for
// every user-supplied value; the lexer reads back exactly what they write,
// and nothing else is accepted: any backslash sequence other than \n \N \r
// \R \t \T \b \B \f \F \" \' \\ \uXXXX (plus \% and \_ after LIKE) is
// MALFORMED_QUERY, so an injection attempt either stays a literal or fails
// the way it fails on Salesforce.
//
// # Grammar
//
// SELECT items FROM Object [alias] [WHERE cond] [ORDER BY key, …] [LIMIT n]
// [OFFSET n]. Items are field paths (Name, Account.Name, Owner.Name,
// alias.Field), child subqueries on a relationship name ((SELECT Id FROM
// Cases) with their own WHERE, ORDER BY and LIMIT), COUNT() and COUNT(field)
// [alias]. Conditions use = != <> < <= > >= LIKE IN NOT IN INCLUDES EXCLUDES,
// AND, OR, NOT and parentheses; AND and OR at the same level without
// parentheses is refused at the second operator ("unexpected token: 'OR'"),
// as Salesforce does. Literals: 'strings', numbers, true/false, null,
// 2024-01-31, 2024-01-31T10:00:00Z (or ±hh:mm), and the relative date
// literals YESTERDAY TODAY TOMORROW, {LAST,THIS,NEXT}_{WEEK,MONTH,QUARTER,
// YEAR,FISCAL_QUARTER,FISCAL_YEAR}, LAST_90_DAYS, NEXT_90_DAYS,
// LAST_N_DAYS:n, NEXT_N_DAYS:n, N_DAYS_AGO:n and LAST_N_*/NEXT_N_*/N_*_AGO:n
// for weeks, months, quarters, years and fiscal periods. OFFSET above 2000
// is NUMBER_OUTSIDE_VALID_RANGE. Semi- and anti-joins (Id [NOT] IN (SELECT
// AccountId FROM Contact …)) compare id and reference fields. FROM accepts
// the keyword-named objects Order and Group. GROUP BY, HAVING, TYPEOF, FOR
// UPDATE, WITH and FIELDS() are not supported and fail as unexpected tokens.
//
// # Semantics
//
// Strings compare case-insensitively; LIKE is case-insensitive with % and _.
// Empty strings count as null. `!=` and NOT IN match null values; the other
// operators never do. Id and reference fields compare on the 18-character
// form, so a 15-character literal finds its record; a malformed id literal
// is INVALID_QUERY_FILTER_OPERATOR "invalid ID field: x". A literal of the
// wrong type (a quoted date, an unquoted string) is INVALID_FIELD "value of
// filter criterion for field 'F' must be of type T and should [not] be
// enclosed in quotes". Date literals are evaluated in UTC with weeks
// starting on Sunday; fiscal periods equal calendar periods. ORDER BY puts
// nulls first unless NULLS LAST is given, for ASC and DESC alike.
//
// # Results
//
// [Execute] returns records in the REST shape (see [Result]). COUNT() sets
// Result.Count and returns no records; COUNT(field) returns one
// AggregateResult record whose value key is the alias or "expr0". Child
// relationship keys are canonical when the Object implements [ChildNamer],
// else spelled as the query wrote them. An empty parent
// lookup or child subquery is null (UNCONFIRMED in Salesforce's docs; seen
// in client fixtures). queryAll: with Options.All, records come from
// [AllScanner].ScanAll when the Source has it and index lookups are skipped.
//
// A parsed Query is never modified by Execute, so one Query may run many
// times and from several goroutines at once; the Source must tolerate
// concurrent reads for that.
//
// # Error messages
//
// Positional errors carry Salesforce's caret diagnostics:
// "\n<excerpt>\n<spaces>^\nERROR at Row:r:Column:c\n<text>". The excerpt is
// the offending row cut to four tokens either side of the error
// (UNCONFIRMED: derived from real messages, Salesforce does not document the
// window). A statement that does not start with SELECT gets the bare
// "unexpected token: 'x'" (as a live org answers for q=invalid). Choices
// made without a source (UNCONFIRMED): an illegal escape is MALFORMED_QUERY
// "Invalid string literal '…'. Illegal character sequence '\q' in string
// literal."; an unterminated string is "line 1:N mismatched character
// '<EOF>' expecting ”'"; the end of input is reported as '<EOF>'.
//
// # SOSL
//
// [ParseSearch] parses FIND {term} [IN ALL|NAME|EMAIL|PHONE FIELDS]
// [RETURNING Object[(fields [WHERE …] [ORDER BY …] [LIMIT n])], …]
// [LIMIT n]; see [Search] for what a caller executes.
package soql
