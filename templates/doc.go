// Package templates holds what Accord says: the question sets people answer
// and, as the mail capabilities land, the embedded text and HTML templates
// of every message, and what accord says to whoever runs it (operator/).
// Question sets are human-editable TOML files; operators may point Accord
// at their own.
package templates
