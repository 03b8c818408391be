package config

import (
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode"

	"accord/templates"
)

// CheckZone accepts the IANA name of a place's time zone ("Europe/Berlin")
// or UTC: the check of people.default_time_zone, and of every zone an
// operator gives for a person (accord pair add, accord import). Go's zone database also knows abbreviations and old aliases
// without an area ("EST", "CET", "Japan"); some of them are a fixed offset
// that ignores summer time (EST is New York in winter all year round), so
// they are refused with the zone to use instead, as are misspellings.
func CheckZone(name string) error {
	if name == "UTC" {
		return nil
	}
	if zone, ok := zoneAliases[strings.ToUpper(name)]; ok {
		note, _ := templates.OperatorOf("zone-note", strings.ToUpper(name), nil)
		return errors.New(templates.Operator("configuration.zone.alias", templates.Args{"Name": name, "Zone": zone, "Note": note}))
	}
	if zoneOffset.MatchString(name) {
		return errors.New(templates.Operator("configuration.zone.offset", templates.Args{"Name": name}))
	}
	_, err := time.LoadLocation(name)
	switch {
	case err == nil && strings.Contains(name, "/"):
		return nil
	case err == nil:
		return errors.New(templates.Operator("configuration.zone.not-a-place", templates.Args{"Name": name}))
	}
	if s := suggestZone(name); s != "" {
		return errors.New(templates.Operator("configuration.zone.suggest", templates.Args{"Name": name, "Zone": s}))
	}
	return errors.New(templates.Operator("configuration.zone.unknown", templates.Args{"Name": name}))
}

// zoneOffset matches offsets written as zones: UTC+2, GMT-05:00, +0530.
var zoneOffset = regexp.MustCompile(`(?i)^(utc|gmt|z)?\s*[+-]\s*\d{1,2}(:?\d{2})?$`)

// zoneAliases maps abbreviations and the old names without an area, upper
// case, to the zone people who write them usually mean. Where an
// abbreviation is used in several places, the operator text
// zone-note.ALIAS names the others; LOCAL names no zone, only its note.
var zoneAliases = map[string]string{
	// North America.
	"EST": "America/New_York", "EDT": "America/New_York", "ET": "America/New_York", "EST5EDT": "America/New_York",
	"CST": "America/Chicago", "CDT": "America/Chicago", "CT": "America/Chicago", "CST6CDT": "America/Chicago",
	"MST": "America/Denver", "MDT": "America/Denver", "MT": "America/Denver", "MST7MDT": "America/Denver",
	"PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "PT": "America/Los_Angeles", "PST8PDT": "America/Los_Angeles",
	"AKST": "America/Anchorage", "AKDT": "America/Anchorage",
	"HST": "Pacific/Honolulu", "AST": "America/Halifax", "ADT": "America/Halifax", "NST": "America/St_Johns", "NDT": "America/St_Johns",
	"NAVAJO": "America/Denver", "CUBA": "America/Havana", "JAMAICA": "America/Jamaica",
	// Europe and Africa.
	"GMT": "Europe/London", "BST": "Europe/London", "UK": "Europe/London", "GB": "Europe/London", "GB-EIRE": "Europe/London", "GREENWICH": "Europe/London",
	"WET": "Europe/Lisbon", "WEST": "Europe/Lisbon", "PORTUGAL": "Europe/Lisbon",
	"CET": "Europe/Berlin", "CEST": "Europe/Berlin",
	"MET": "Europe/Berlin", "MEST": "Europe/Berlin",
	"EET": "Europe/Athens", "EEST": "Europe/Athens",
	"MSK": "Europe/Moscow", "W-SU": "Europe/Moscow", "EIRE": "Europe/Dublin", "ICELAND": "Atlantic/Reykjavik",
	"POLAND": "Europe/Warsaw", "TURKEY": "Europe/Istanbul", "EGYPT": "Africa/Cairo", "LIBYA": "Africa/Tripoli",
	"WAT": "Africa/Lagos", "CAT": "Africa/Maputo", "EAT": "Africa/Nairobi", "SAST": "Africa/Johannesburg",
	// Asia and the Pacific.
	"IST": "Asia/Kolkata",
	"PKT": "Asia/Karachi", "ICT": "Asia/Bangkok", "WIB": "Asia/Jakarta", "PHT": "Asia/Manila",
	"JST": "Asia/Tokyo", "JAPAN": "Asia/Tokyo", "KST": "Asia/Seoul", "ROK": "Asia/Seoul",
	"HKT": "Asia/Hong_Kong", "HONGKONG": "Asia/Hong_Kong", "SGT": "Asia/Singapore", "SINGAPORE": "Asia/Singapore",
	"PRC": "Asia/Shanghai", "ROC": "Asia/Taipei", "ISRAEL": "Asia/Jerusalem", "IDT": "Asia/Jerusalem", "IRAN": "Asia/Tehran",
	"GST": "Asia/Dubai", "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
	"ACST": "Australia/Adelaide", "ACDT": "Australia/Adelaide", "AWST": "Australia/Perth",
	"NZST": "Pacific/Auckland", "NZDT": "Pacific/Auckland", "NZ": "Pacific/Auckland", "NZ-CHAT": "Pacific/Chatham", "KWAJALEIN": "Pacific/Kwajalein",
	// South America.
	"BRT": "America/Sao_Paulo", "ART": "America/Argentina/Buenos_Aires",
	// UTC under other names.
	"UCT": "UTC", "UNIVERSAL": "UTC", "ZULU": "UTC", "Z": "UTC", "GMT0": "UTC", "GMT+0": "UTC", "GMT-0": "UTC",
	"LOCAL": "",
}

// zoneAreas are the first parts of IANA names, for "Berlin" → Europe/Berlin.
var zoneAreas = []string{"Europe", "America", "Asia", "Africa", "Australia", "Pacific", "Atlantic", "Indian", "Antarctica"}

// commonZones are the candidates for a misspelt zone's "did you mean":
// where most people who work together are.
var commonZones = []string{
	"Africa/Cairo", "Africa/Casablanca", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi",
	"America/Anchorage", "America/Argentina/Buenos_Aires", "America/Bogota", "America/Chicago", "America/Denver",
	"America/Halifax", "America/Lima", "America/Los_Angeles", "America/Mexico_City", "America/Montevideo",
	"America/New_York", "America/Phoenix", "America/Santiago", "America/Sao_Paulo", "America/St_Johns",
	"America/Toronto", "America/Vancouver", "America/Winnipeg", "America/Edmonton",
	"Asia/Bangkok", "Asia/Dhaka", "Asia/Dubai", "Asia/Ho_Chi_Minh", "Asia/Hong_Kong", "Asia/Jakarta",
	"Asia/Jerusalem", "Asia/Karachi", "Asia/Kolkata", "Asia/Kuala_Lumpur", "Asia/Manila", "Asia/Riyadh",
	"Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Asia/Taipei", "Asia/Tehran", "Asia/Tokyo",
	"Atlantic/Reykjavik", "Australia/Adelaide", "Australia/Brisbane", "Australia/Melbourne", "Australia/Perth",
	"Australia/Sydney", "Europe/Amsterdam", "Europe/Athens", "Europe/Berlin", "Europe/Brussels",
	"Europe/Bucharest", "Europe/Budapest", "Europe/Copenhagen", "Europe/Dublin", "Europe/Helsinki",
	"Europe/Istanbul", "Europe/Kyiv", "Europe/Lisbon", "Europe/London", "Europe/Madrid", "Europe/Moscow",
	"Europe/Oslo", "Europe/Paris", "Europe/Prague", "Europe/Rome", "Europe/Stockholm", "Europe/Vienna",
	"Europe/Warsaw", "Europe/Zurich", "Pacific/Auckland", "Pacific/Honolulu",
}

// suggestZone guesses the zone meant by a name Go does not know: the same
// name in the usual capitals ("europe/berlin", "America/New York"), a city
// without its area ("Berlin"), or a common zone a slip away.
func suggestZone(name string) string {
	if strings.EqualFold(name, "UTC") {
		return "UTC"
	}
	fixed := zoneCase(name)
	if strings.Contains(fixed, "/") {
		if _, err := time.LoadLocation(fixed); err == nil {
			return fixed
		}
	} else if fixed != "" {
		var found []string
		for _, area := range zoneAreas {
			if _, err := time.LoadLocation(area + "/" + fixed); err == nil {
				found = append(found, area+"/"+fixed)
			}
		}
		if len(found) == 1 {
			return found[0]
		}
		for _, z := range commonZones {
			if _, city, _ := strings.Cut(z, "/"); strings.EqualFold(city, fixed) {
				return z
			}
		}
	}
	return templates.Suggest(strings.ReplaceAll(strings.TrimSpace(name), " ", "_"), commonZones)
}

// zoneCase writes a name the way IANA names are written: each word
// capitalised, words joined by underscores.
func zoneCase(name string) string {
	parts := strings.Split(strings.TrimSpace(name), "/")
	for i, p := range parts {
		words := strings.FieldsFunc(p, func(r rune) bool { return r == ' ' || r == '_' })
		for j, w := range words {
			r := []rune(strings.ToLower(w))
			r[0] = unicode.ToUpper(r[0])
			words[j] = string(r)
		}
		parts[i] = strings.Join(words, "_")
	}
	return strings.Join(parts, "/")
}
