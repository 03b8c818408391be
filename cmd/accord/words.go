package main

import (
	"strconv"
	"strings"

	"accord/conversation"
)

// count writes a number with its noun, singular for one: "1 sample",
// "3 samples". Nouns with an irregular plural give it after a slash:
// "reply/replies".
func count(n int, noun string) string {
	one, many, irregular := strings.Cut(noun, "/")
	if !irregular {
		many = one + "s"
	}
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// suggest returns the candidate closest to what the operator typed, for a
// "did you mean", or "" when none is close enough to be a slip of the
// fingers. Case is ignored.
func suggest(typed string, candidates []string) string {
	typed = strings.ToLower(typed)
	best, bestDist := "", 0
	for _, c := range candidates {
		d := conversation.EditDistance(typed, strings.ToLower(c))
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	// One slip in a short word, two in a longer one, three in a long key;
	// beyond that the "suggestion" is a guess.
	limit := 1
	switch n := len([]rune(typed)); {
	case n > 12:
		limit = 3
	case n > 4:
		limit = 2
	}
	if best == "" || bestDist > limit || bestDist == len([]rune(typed)) {
		return ""
	}
	return best
}
