// Package directory is a bot's customer directory: people imported from
// one Salesforce object (Lead, Contact or Account, the bot.yaml
// directory: section) into a local store, memory by default or Redis
// shared by every botd instance, and looked up by e-mail, phone or name
// while a conversation runs (it implements nodes.Directory for the
// directory_lookup node).
//
// A record keeps the full name, the company (a Lead's Company, a
// Contact's Account.Name, an Account's Name, which serves as both), the
// e-mail and the phones (Phone, MobilePhone). Records without a name
// (empty, Web-to-Lead's "[not provided]", only punctuation) are left out.
//
// The first sync reads what changed within first_run_since (a year),
// newest first, and imports at most max_per_run (2000) named records: the
// most recently active customers. Its newest record is the high-water
// mark (LastModifiedDate, Id). Each later sync, every `every` (24h),
// reads what changed after the mark, oldest first, at most max_per_run
// rows: updates replace the stored record, a record that lost its name is
// removed, and the mark moves to the last row read, so a capped run is
// continued by the next. It then removes the records in Salesforce's
// recycle bin (queryAll, IsDeleted = true: deleted in the last 15 days). A failed sync keeps the mark and is retried
// after Options.RetryAfter. The state (last run, mark, counts, last
// error) is stored with the records, so Status is the same on every
// instance; a lock in the store (a Redis key with a TTL, or a mutex)
// lets one instance sync at a time.
//
// Lookup keys are normalised: e-mail lowercased; phone digits with a
// leading + kept ("+81 3-1234-5678" → "+81312345678"); name lowercased
// with its words sorted, so "Yamada Taro" finds "Taro Yamada".
//
// Metrics: dialogd_directory_records (gauge) and
// dialogd_directory_sync_total{result="ok|error|busy"}.
package directory
