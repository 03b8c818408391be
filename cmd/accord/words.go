package main

import (
	"strconv"
	"strings"
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
		d := editDistance(typed, strings.ToLower(c))
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

// editDistance counts the insertions, deletions, substitutions and swaps of
// neighbouring letters that turn a into b (optimal string alignment), so
// "strat" is one step from "start".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
