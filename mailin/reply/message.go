package reply

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// Message extracts what the person wrote from a whole MIME message: from
// the text/plain part when it has content, otherwise from the HTML part
// through HTML. Character sets and transfer encodings are decoded by enmime.
func Message(raw []byte) (string, error) {
	parser := enmime.NewParser(enmime.DisableTextConversion(true))
	env, err := parser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return "", fmt.Errorf("reply: read message: %w", err)
	}
	if strings.TrimSpace(env.Text) != "" {
		return Text(env.Text), nil
	}
	if strings.TrimSpace(env.HTML) != "" {
		return HTML(env.HTML), nil
	}
	return "", nil
}
