package authres_test

import (
	"fmt"
	"strings"

	"accord/mailin/authres"
)

// Only the topmost Authentication-Results field, written by our own server,
// is worth reading; the quoted local-part below cannot smuggle in a pass.
func ExampleParse() {
	h, err := authres.Parse(`mx.example.com; spf=pass smtp.mailfrom="x; dmarc=pass"@evil.example; dmarc = fail (p=reject) header.from=example.com`)
	if err != nil {
		fmt.Println("no verdict:", err)
		return
	}
	if !strings.EqualFold(h.AuthServID, "MX.example.com") {
		fmt.Println("not our server")
		return
	}
	fmt.Println("dmarc:", h.Lookup("dmarc"))
	for _, r := range h.Results {
		fmt.Printf("%s=%s %+v\n", r.Method, r.Result, r.Props)
	}
	// Output:
	// dmarc: fail
	// spf=pass [{Type:smtp Property:mailfrom Value:"x; dmarc=pass"@evil.example}]
	// dmarc=fail [{Type:header Property:from Value:example.com}]
}

// A field that cannot be read gives no verdict at all.
func ExampleParse_malformed() {
	_, err := authres.Parse(`mx.example.com; dmarc=pass (unterminated`)
	fmt.Println(err)
	// Output:
	// authres: malformed Authentication-Results: unterminated comment at offset 27
}
