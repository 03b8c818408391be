// Package mimecheck bounds the work one inbound message can cause in the
// MIME parser (enmime) and in what reads its result (package classify,
// package reply), before any of it runs.
//
// enmime holds every part in memory, appends each part to its parent by
// walking the sibling list and joins every text/plain part into one string,
// copying all it joined before for each, so its time grows with the square
// of the number of parts; it reads every byte through one boundary reader
// per level of nesting, byte by byte, and runs character-set detection over
// every text body. A message well under the size limit can therefore keep
// it busy for minutes and use hundreds of MB. Check refuses a message whose
// structure is over Limits, in one linear pass; Trim hands the parser a
// reduced copy that holds only what the pipeline reads. Call both:
//
//	if err := mimecheck.Check(raw, limits); err != nil {
//		return nil, err // permanent: record the message as unreadable
//	}
//	env, err := parser.ReadEnvelope(bytes.NewReader(mimecheck.Trim(raw, limits)))
//
// Check needs no trust in its own reading of the MIME structure: it counts
// every line at which enmime could see a delimiter of any boundary declared
// so far (RFC 2046 section 5.1.1), reading Content-Type fields wherever
// they occur with enmime's own lenient rules and parameter parser, so its
// counts of parts and depth are never below enmime's. Trim reads the
// structure as real mail has it, and checks its own output with Check, so
// a message crafted to read differently to Trim and to enmime is still
// bounded.
//
// Both follow enmime v2.3.0 closely. FuzzCheck and FuzzContentType compare
// them with enmime itself; run them again when enmime is upgraded.
package mimecheck
