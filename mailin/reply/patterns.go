package reply

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The vocabularies below are what mail clients put around quoted mail. They
// are grouped by role, not by client, so that a new language usually means
// one more word in a list rather than a new rule.

// attributionVerbs end an attribution line such as "On <date>, <name> wrote:"
// in the languages mail clients are localised into.
var attributionVerbs = []string{
	"wrote", "writes", "has written", "schrieb", "geschrieben", "schreef",
	"het volgende geschreven", "geschreven", "a écrit", "écrit", "escribió",
	"escribio", "ha escrit", "va escriure", "escreveu", "ha scritto",
	"scrisse", "skrev", "skrifaði", "kirjoitti", "napisał(a)",
	"napisała", "napisał", "napisal", "pisze", "napsal(a)", "napsala",
	"napsal", "napísal", "napisao", "napisala", "написал(а)",
	"написала", "написал", "написав", "написа", "пише", "yazdı", "írta",
	"a scris", "đã viết", "kirjutas", "rašė", "rakstīja", "έγραψε",
	"כתב", "כתבה", "كتب", "كتبت", "نوشت", "menulis", "sumulat", "लिखा",
	"เขียน", "escribiu", "napísal(a)", "idatzi zuen", "wrote the following",
	"schrieb folgendes", "a écrit ce qui suit",
}

// cjkAttributionEnds close attribution lines in scripts written without
// spaces, so they need no word boundary.
var cjkAttributionEnds = []string{"写道", "寫道", "작성", "のメッセージ", "から"}

// separatorPhrases mark the start of an original or forwarded message when
// they stand alone on a line, usually framed by dashes.
var separatorPhrases = []string{
	"original message", "original appointment", "original e-mail", "original email", "reply message",
	"forwarded message", "forwarded e-mail", "forwarded email",
	"begin forwarded message", "ursprüngliche nachricht",
	"ursprüngliche e-mail", "original-nachricht", "antwort nachricht",
	"weitergeleitete nachricht", "anfang der weitergeleiteten nachricht",
	"message d'origine", "message d’origine", "message original",
	"message transféré", "début du message réexpédié", "début du message transféré",
	"mensaje original", "mensaje reenviado", "inicio del mensaje reenviado",
	"messaggio originale", "messaggio inoltrato", "inizio messaggio inoltrato",
	"oorspronkelijk bericht", "origineel bericht", "doorgestuurd bericht",
	"begin doorgestuurd bericht", "mensagem original",
	"mensagem encaminhada", "início da mensagem reencaminhada",
	"ursprungligt meddelande", "vidarebefordrat meddelande",
	"vidarebefordrat brev", "oprindelig meddelelse", "oprindelig besked",
	"videresendt meddelelse", "videresendt besked",
	"opprinnelig melding", "videresendt melding", "alkuperäinen viesti",
	"välitetty viesti", "wiadomość oryginalna", "oryginalna wiadomość",
	"przekazana wiadomość", "wiadomość przekazana dalej",
	"původní zpráva", "přeposlaná zpráva", "pôvodná správa",
	"исходное сообщение", "пересылаемое сообщение",
	"пересланное сообщение", "оригинальное сообщение",
	"початкове повідомлення", "orijinal mesaj", "iletilen mesaj",
	"eredeti üzenet", "továbbított üzenet", "mesaj original",
	"mesaj redirecționat", "αρχικό μήνυμα", "原始邮件", "原始郵件",
	"转发的邮件", "轉寄的郵件", "已转发邮件", "轉寄郵件", "以下是转发的邮件",
	"元のメッセージ", "転送されたメッセージ", "원본 메시지", "전달된 메시지",
	"전달된 메일", "iletilen ileti", "i̇letilen ileti",
	"start på videresendt besked", "begynnelse på videresendt melding",
	"välitetty viesti alkaa", "początek przekazywanej wiadomości",
	"начало переадресованного сообщения", "forwarded message follows",
}

// fieldNames are the labels of the header block that Outlook and many web
// clients write above a quoted message, mapped to what they stand for.
var fieldNames = map[string]byte{
	// from
	"from": 'f', "von": 'f', "de": 'f', "da": 'f', "van": 'f', "från": 'f',
	"fra": 'f', "lähettäjä": 'f', "od": 'f', "от": 'f', "від": 'f',
	"发件人": 'f', "寄件者": 'f', "差出人": 'f', "보낸 사람": 'f',
	"kimden": 'f', "feladó": 'f', "afzender": 'f', "expéditeur": 'f',
	"remitente": 'f', "mittente": 'f', "nadawca": 'f', "odesílatel": 'f',
	"from (name)": 'f', "auteur": 'f', "absender": 'f', "frá": 'f',
	"emisor": 'f', "remetente": 'f', "pengirim": 'f', "από": 'f',
	"reply-to": 'f', "répondre à": 'f', "antwort an": 'f', "từ": 'f',
	"dari": 'f', "מאת": 'f', "من": 'f', "de la": 'f', "šalje": 'f',
	"nuo": 'f', "saatja": 'f', "จาก": 'f',
	// sent / date
	"sent": 'd', "date": 'd', "gesendet": 'd', "datum": 'd', "envoyé": 'd',
	"envoyé le": 'd', "enviado": 'd', "enviado el": 'd', "fecha": 'd',
	"inviato": 'd', "data": 'd', "verzonden": 'd', "verstuurd": 'd',
	"skickat": 'd', "sendt": 'd', "dato": 'd', "lähetetty": 'd',
	"päivämäärä": 'd', "wysłano": 'd', "wysłane": 'd', "odesláno": 'd',
	"отправлено": 'd', "дата": 'd', "надіслано": 'd', "发送时间": 'd',
	"日期": 'd', "傳送時間": 'd', "時間": 'd', "送信日時": 'd', "날짜": 'd',
	"보낸 날짜": 'd', "tarih": 'd', "gönderildi": 'd', "gönderme tarihi": 'd',
	"elküldve": 'd', "dátum": 'd', "trimis": 'd', "sent at": 'd',
	"message du": 'd', "date d'envoi": 'd', "enviada": 'd', "sendt dato": 'd',
	"ημερομηνία": 'd', "στάλθηκε": 'd', "terkirim": 'd', "tanggal": 'd',
	"đã gửi": 'd', "ngày": 'd', "dikirim": 'd', "נשלח": 'd',
	"تاريخ الإرسال": 'd', "odoslané": 'd', "poslano": 'd', "išsiųsta": 'd',
	"saadetud": 'd', "enviat": 'd', "ส่ง": 'd',
	// to / cc
	"to": 't', "an": 't', "à": 't', "a": 't', "para": 't', "aan": 't',
	"till": 't', "til": 't', "vastaanottaja": 't', "do": 't', "komu": 't',
	"кому": 't', "收件人": 't', "收件者": 't', "宛先": 't', "받는 사람": 't',
	"kime": 't', "címzett": 't', "către": 't', "adresat": 't', "cc": 't',
	"kopie": 't', "copie à": 't', "kopia": 't', "kopio": 't',
	"копия": 't', "抄送": 't', "副本": 't', "참조": 't', "bilgi": 't',
	"destinataire": 't', "destinatario": 't', "destinatário": 't',
	"προς": 't', "kepada": 't', "bcc": 't', "cci": 't', "đến": 't',
	"אל": 't', "إلى": 't', "prima": 't', "kam": 't', "adressaat": 't',
	"per a": 't', "ถึง": 't',
	// subject
	"subject": 's', "betreff": 's', "objet": 's', "asunto": 's',
	"oggetto": 's', "onderwerp": 's', "ämne": 's', "emne": 's', "aihe": 's',
	"temat": 's', "předmět": 's', "тема": 's', "主题": 's', "主旨": 's',
	"件名": 's', "제목": 's', "konu": 's', "tárgy": 's', "subiect": 's',
	"sujet": 's', "assunto": 's', "θέμα": 's', "perihal": 's', "subjek": 's',
	"chủ đề": 's', "נושא": 's', "الموضوع": 's', "predmet": 's',
	"zadeva": 's', "teema": 's', "assumpte": 's', "เรื่อง": 's',
}

// mobileFooterPrefixes start the one-line footers that mail apps append
// ("Sent from my iPhone") in many languages. A match ends the reply.
var mobileFooterPrefixes = []string{
	"sent from my ", "sent from a ", "sent from the ", "sent with my ",
	"sent using the ", "sent using my ", "sent via the ", "sent by my ",
	"sent on my ", "sent via ", "sent using ", "sent from samsung", "sent from mail", "sent from outlook",
	"sent from yahoo", "sent from aol", "sent from gmail", "sent from proton",
	"sent with proton", "sent from fastmail", "sent from mailbox",
	"sent from typeapp", "sent from acompli", "sent from blackberry",
	"sent from iphone", "sent from ipad", "sent from android",
	"sent from huawei", "sent from xiaomi", "sent from spark",
	"sent with spark", "sent from airmail", "sent with airmail",
	"sent from bluemail", "sent from edison", "sent via superhuman",
	"sent with sparrow", "sent from newton", "sent from nine",
	"sent from zoho", "sent from hey", "sent from tutanota",
	"get outlook for ", "download outlook for ", "get outlook on ",
	"obtener outlook para ", "descargar outlook para ", "télécharger outlook pour ",
	"scarica outlook per ", "baixe o outlook para ", "outlook für ", "outlook voor ",
	"outlook para ", "outlook pour ", "outlook per ", "hol dir outlook für ",
	"von meinem ", "gesendet von meinem ", "gesendet von ", "gesendet mit ",
	"gesendet vom ", "gesendet über ", "envoyé de mon ", "envoyé depuis mon ",
	"envoyé à partir de ", "envoyé depuis ", "envoyé avec ",
	"enviado desde mi ", "enviado desde ", "enviado con ",
	"enviado do meu ", "enviado de meu ", "enviado do ", "enviado a partir do ",
	"inviato da ", "inviato dal mio ", "inviato con ",
	"verzonden vanaf ", "verzonden vanuit ", "verzonden met ",
	"verstuurd vanaf ", "verstuurd vanuit ", "verstuurd met ",
	"skickat från ", "skickat med ", "sendt fra ", "sendt med ",
	"lähetetty ", "wysłane z ", "wysłano z ", "odesláno z ", "odoslané z ",
	"отправлено с ", "отправлено из ", "надіслано з ", "trimis de pe ",
	"trimis de pe ", "trimis cu ", "az iphone", "az android",
	"iphone'umdan gönderildi", "أُرسلت من", "أرسلت من",
	"נשלח מ", "发自我的", "從我的", "来自我的", "sent from mobile",
	"sent from phone",
}

// mobileFooterSuffixes end footers in languages that put the verb last.
var mobileFooterSuffixes = []string{
	"から送信", "から送信しました", "에서 보냄", "에서 보냈습니다", "küldve",
	"发送", "發送", "gönderildi",
}

// mobileFooterWords must appear in a footer that does not say "my …", so
// "Sent from the office, see below" is not mistaken for one.
var mobileFooterWords = regexp.MustCompile(`(?i)(iphone|ipad|ipod|android|galaxy|samsung|blackberry|mobile|phone|tablet|outlook|yahoo|aol|gmail|mail|windows|sparrow|typeapp|acompli|mailbox|huawei|xiaomi|pixel|nokia|motorola|htc|sony|oneplus|wiko|proton|tutanota|fastmail|spark|airmail|newton|bluemail|edison|superhuman|hey|zoho|app|device|ios|handy|portable|celular|móvil|movil|cellulare|telefon|smartphone|mobil|laite|urządzenia|телефон|мобильн|アプリ|手机|手機|correo|posta|courrier)`)

// deviceWords name phones and mail apps, for footers that go on after a
// comma.
var deviceWords = regexp.MustCompile(`(?i)(iphone|ipad|ipod|android|galaxy|samsung|blackberry|pixel|huawei|xiaomi|motorola|nokia|outlook|smartphone|phone|mobile|tablet)`)

// closings are formulaic valedictions. A closing on its own line near the
// end, followed by nothing but a name or two, is dropped together with them.
// Thanks-style closings are kept: they often carry meaning.
var closings = []string{
	"regards", "best regards", "kind regards", "kindest regards",
	"warm regards", "warmest regards", "with regards", "with kind regards",
	"with best regards", "many regards", "best wishes", "with best wishes",
	"all the best", "best", "sincerely", "yours sincerely",
	"sincerely yours", "yours truly", "very truly yours", "respectfully",
	"cordially", "rgds", "br", "kr", "met vriendelijke groet",
	"met vriendelijke groeten", "vriendelijke groet", "vriendelijke groeten",
	"hartelijke groet", "hartelijke groeten", "met hartelijke groet",
	"groet", "groeten", "groetjes", "mvg",
	"mit freundlichen grüßen", "mit freundlichen grüssen",
	"mit freundlichem gruß", "mit freundlichem gruss",
	"freundliche grüße", "freundliche grüsse", "viele grüße",
	"viele grüsse", "liebe grüße", "liebe grüsse", "beste grüße",
	"beste grüsse", "herzliche grüße", "herzliche grüsse", "grüße",
	"grüsse", "gruß", "gruss", "mfg", "lg", "vg",
	"cordialement", "bien cordialement", "très cordialement", "bien à vous",
	"salutations", "sincères salutations", "meilleures salutations",
	"salutations distinguées", "amicalement", "bonne journée",
	"saludos", "un saludo", "saludos cordiales", "atentamente",
	"cordialmente", "un cordial saludo", "cordiali saluti",
	"distinti saluti", "saluti", "un saluto", "atenciosamente",
	"cumprimentos", "melhores cumprimentos", "abraços", "abraço",
	"med vänliga hälsningar", "vänliga hälsningar", "hälsningar", "mvh",
	"med venlig hilsen", "venlig hilsen", "med vennlig hilsen",
	"vennlig hilsen", "hilsen", "ystävällisin terveisin", "terveisin",
	"pozdrawiam", "z poważaniem", "serdecznie pozdrawiam",
	"s pozdravem", "s přátelským pozdravem", "с уважением",
	"всего доброго", "всего наилучшего", "з повагою", "saygılarımla",
	"üdvözlettel", "cu stimă", "cu respect", "met groet",
	"此致", "敬礼", "此致敬礼", "祝好", "よろしくお願いいたします",
	"よろしくお願いします",
}

var (
	closingSet = func() map[string]bool {
		m := make(map[string]bool, len(closings))
		for _, c := range closings {
			m[c] = true
		}
		return m
	}()

	// attributionVerb finds an attribution verb anywhere in a line, for
	// "Am <date> schrieb <name>:" where the name comes last.
	attributionVerb = regexp.MustCompile(`(?i)(?:^|[\s,;()<>"'«»\]])(?:` +
		quoteAll(attributionVerbs) + `|sent)(?:$|[\s,;:()<>"'«»])`)

	// attributionVerbThenDate covers "X schrieb am <date>:" and
	// "X wrote on <date>:".
	attributionVerbThenDate = regexp.MustCompile(`(?i)(?:^|\s)(?:wrote|schrieb|a écrit|escribió|escreveu|skrev|schreef|napisał\(a\)|napisała|napisał|ha scritto|kirjoitti)\s+(?:am|on|le|el|em|den|op|il|dne|в)\s.{0,80}[:：]\s*$`)

	// writtenBy covers passive forms: "Wiadomość napisana przez …:".
	writtenBy = regexp.MustCompile(`(?i)(?:napisana przez|escrita por|scritto da|geschrieben von|written by).{0,160}[:：]\s*$`)

	// dashFramed is "---- Name wrote ----" as Android and Yahoo write it.
	dashFramed = regexp.MustCompile(`^[-–—]{2,}.{2,200}[-–—]{2,}\s*$`)

	// leadWord starts an attribution line in many languages.
	leadWord = regexp.MustCompile(`^(?:On|Am|Le|El|Il|In data|Op|Em|No dia|Den|På|W dniu|Dnia|Dne|Dňa|Vào|Pe|În|Στις|Ar|Na|В|Il giorno|Kl\.|Le\s|El\s)\s`)

	// shareLineLead finds where an attribution starts inside a line that
	// also carries reply text ("reply On Wed, … wrote:").
	shareLineLead = regexp.MustCompile(`(?:\s|-)(?:On|Le|Am|El|Op|Em|Den|W dniu)\s`)

	emailRe = regexp.MustCompile(`[\p{L}\p{N}._%+\-']+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+`)

	// endsWithAddress: the last thing on the line is an address, possibly
	// in brackets, possibly followed by a colon.
	endsWithAddress = regexp.MustCompile(`@[\p{L}\p{N}.\-]+\.[\p{L}]{2,}[\s>)\]"']*\s*[:：]?\s*$`)

	numericDate = regexp.MustCompile(`\p{Nd}{1,4}\s?[./\-]\s?\p{Nd}{1,2}\s?[./\-]\s?\p{Nd}{1,4}`)
	clockTime   = regexp.MustCompile(`(?:^|[^\p{Nd}])\p{Nd}{1,2}[:：]\p{Nd}{2}(?:[^\p{Nd}]|$)`)
	yearRe      = regexp.MustCompile(`(?:^|[^\p{Nd}])(?:19|20)\p{Nd}{2}(?:[^\p{Nd}]|$)`)
	cjkDate     = regexp.MustCompile(`\p{Nd}{1,4}\s?[年月日]`)
	dottedTime  = regexp.MustCompile(`(?i)(?:^|[^\p{Nd}])\p{Nd}{1,2}\.\p{Nd}{2}(?:[^\p{Nd}.]|$)|\p{Nd}\s?(?:am|pm)(?:$|[^\p{L}])`)

	// dateRe is any of the date and time shapes above; exactDateRe leaves
	// out a bare year, which ordinary sentences often carry. They define
	// what hasDate and hasExactDate look for; dateShapes does the matching.
	dateRe = regexp.MustCompile(numericDate.String() + "|" + clockTime.String() + "|" +
		yearRe.String() + "|" + cjkDate.String() + "|" + dottedTime.String())
	exactDateRe = regexp.MustCompile(numericDate.String() + "|" + clockTime.String() + "|" +
		cjkDate.String() + "|" + dottedTime.String())

	// replyAboveRe matches the "reply above this line" markers that ticket
	// and notification systems put into the mail they send.
	replyAboveRe = regexp.MustCompile(`(?i)^[\s\-=_*#~>]*(?:please )?(?:reply|write|type|respond)(?: your (?:reply|response))? above this line|^[\s\-=_*#~>]*(?:antworten sie|bitte antworten sie) (?:über|oberhalb) dieser zeile|^[\s\-=_*#~>]*répondez au-dessus de cette ligne`)

	// rule lines are made only of dashes, underscores, equals signs and the
	// like: section breaks that often sit above a quote or a signature.
	ruleRe = regexp.MustCompile(`^[\s_=\-—–~*#+]{2,}$`)

	phoneRe = regexp.MustCompile(`(?:^|[^\p{Nd}])(?:\+\s?)?\(?\p{Nd}[\p{Nd}\s().\-/]{5,}\p{Nd}`)
	urlRe   = regexp.MustCompile(`(?i)(?:https?://|www\.)\S+|\b[a-z0-9\-]+\.(?:com|org|net|io|co|nl|de|fr|be|ch|uk|es|it|se|dk|no|fi|pl|cz|ru|jp|cn|au|ca|us|eu|info|biz|app|dev)\b(?:/\S*)?`)
	// contactLabel starts lines such as "Tel: …", "M. +1 …", "skype: …".
	contactLabel = regexp.MustCompile(`(?i)^(?:tel|tél|phone|fax|mobile|mob|cell|gsm|handy|telefon|telefono|teléfono|téléphone|portable|m|t|f|p|e|w|c|o|d|skype|web|website|office|direct|email|e-mail|mail|linkedin|twitter|address|adresse|kvk|btw|iban|vat|siret|tva)\s*[.:]`)
)

// footerPhrases appear only in list and notification footers.
var footerPhrases = []string{
	"you are receiving this because", "you received this message because",
	"reply to this email directly", "view it on github",
	"to stop receiving these", "this email was sent to",
	"you are subscribed to this thread", "you were mentioned",
	"sent to you because you", "google groups",
}

// footerWords appear in footers, but also in what a person may write
// ("how do I unsubscribe?"), so they count only next to a link or address.
var footerWords = []string{
	"mailing list", "listinfo", "unsubscribe", "désinscri", "abmelden",
	"abbestellen", "darse de baja", "cancelar suscripción", "annulla iscrizione",
	"uitschrijven", "manage your email", "manage your preferences",
	"manage your notifications", "manage your subscription",
	"notification settings", "update your preferences",
}

// noticePhrases appear only in legal and antivirus notices.
var noticePhrases = []string{
	"intended recipient", "intended only for", "intended solely for",
	"intended for the use", "intended for the addressee",
	"intended for the recipient", "intended for the named",
	"received this e-mail in error", "received this email in error",
	"received this message in error", "received this communication in error",
	"received this message by mistake", "received this email by mistake",
	"received this e-mail by mistake", "strictly prohibited",
	"nicht der richtige adressat", "nicht der beabsichtigte empfänger",
	"irrtümlich erhalten", "checked for viruses", "virus-free", "virus free",
	"virenfrei", "sans virus", "libre de virus", "scanned for viruses",
	"destinataire de ce message", "destinatario de este mensaje",
	"avast antivirus", "this e-mail and any attachments",
	"this email and any attachments", "this message and any attachments",
}

// noticeWords are typical of notices; a paragraph needs several of them.
var noticeWords = []string{
	"confidential", "privileged", "vertraulich", "confidentiel", "destinataire",
	"confidencial", "destinatario", "riservat", "vertrouwelijk",
	"geadresseerde", "konfidentiell", "fortrolig", "luottamuksellinen",
	"poufn", "důvěrn", "конфиденциальн", "antivirus", "disclaimer",
	"addressee", "recipient", "prohibited", "unauthorised", "unauthorized",
}

// isFooterParagraph reports whether a paragraph, given as lines, is a list
// or notification footer or a legal or antivirus notice.
func isFooterParagraph(paragraph []line) bool {
	var b strings.Builder
	for _, l := range paragraph {
		if b.Len() > 4000 {
			break
		}
		b.WriteString(l.norm)
		b.WriteByte(' ')
	}
	s := strings.ToLower(b.String())
	if containsCount(s, footerPhrases) > 0 || containsCount(s, noticePhrases) > 0 {
		return true
	}
	if containsCount(s, footerWords) > 0 && (hasAddress(s) || urlRe.MatchString(s)) {
		return true
	}
	return containsCount(s, noticeWords) >= 2 && wordCount(s) >= 12
}

// containsCount counts how many of words occur in the lower-cased s.
func containsCount(s string, words []string) int {
	n := 0
	for _, w := range words {
		if strings.Contains(s, w) {
			n++
		}
	}
	return n
}

// containsWord reports whether the lower-cased s contains one of words.
func containsWord(s string, words []string) bool {
	return containsCount(strings.ToLower(s), words) > 0
}

func quoteAll(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(q, "|")
}

// lowerVerbs and lowerCJK hold the verbs ready for suffix tests.
var lowerVerbs = func() []string {
	v := make([]string, len(attributionVerbs))
	for i, w := range attributionVerbs {
		v[i] = strings.ToLower(w)
	}
	return v
}()

// endsWithVerb reports whether s ends with an attribution verb, optionally
// followed by a colon or a dashed frame ("… wrote:", "… wrote ----").
func endsWithVerb(s string) bool {
	t := strings.TrimRight(s, " \t:：-—–")
	if t == "" {
		return false
	}
	for _, end := range cjkAttributionEnds {
		if strings.HasSuffix(t, end) && endsWithColon(strings.TrimRight(s, " \t")) {
			return true
		}
	}
	t = strings.ToLower(tail(t, 64))
	for _, v := range lowerVerbs {
		if !strings.HasSuffix(t, v) {
			continue
		}
		before, _ := utf8.DecodeLastRuneInString(t[:len(t)-len(v)])
		if before == utf8.RuneError || unicode.IsSpace(before) || strings.ContainsRune(",;()<>\"'«»]\u200f", before) {
			return true
		}
	}
	return false
}

// tail returns at most the last n bytes of s, starting on a rune boundary.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}

func endsWithColon(s string) bool {
	return strings.HasSuffix(s, ":") || strings.HasSuffix(s, "：")
}

var separatorSet = func() map[string]bool {
	m := make(map[string]bool, len(separatorPhrases))
	for _, p := range separatorPhrases {
		m[p] = true
	}
	return m
}()

// isSeparator reports a line that is only a phrase such as "Original
// Message" or "Forwarded message", framed by dashes or other rule marks.
func isSeparator(s string) bool {
	if len(s) > 120 {
		return false
	}
	t := strings.ToLower(strings.Trim(s, " \t-=_*~—–>:："))
	return separatorSet[t]
}

// isFieldName reports the category of a header label, or 0.
func fieldCategory(label string) byte {
	label = strings.ToLower(strings.TrimSpace(label))
	return fieldNames[label]
}

// fieldLine recognises one "Label: value" line of a header block and
// returns the category of its label and the value after the colon.
func fieldLine(s string) (cat byte, value string) {
	s = strings.TrimLeft(s, " \t*_>")
	i := strings.IndexAny(s, ":：")
	if i <= 0 || i > 40 {
		return 0, ""
	}
	label := strings.Trim(s[:i], " \t*_")
	cat = fieldCategory(label)
	if cat == 0 {
		return 0, ""
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	value = strings.Trim(s[i+size:], " \t*_")
	return cat, value
}

// inlineFields counts the distinct header labels found inside one line,
// for clients that run a whole header block together ("De : x À : y Objet : z").
func inlineFields(s string) map[byte]bool {
	found := map[byte]bool{}
	for i := 0; i < len(s); {
		j := strings.IndexAny(s[i:], ":：")
		if j < 0 {
			break
		}
		end := i + j
		// Walk back over at most three words to find the label.
		start := end
		words := 0
		for start > 0 && words < 3 {
			r, size := utf8.DecodeLastRuneInString(s[:start])
			if unicode.IsLetter(r) || r == '-' || r == '\'' {
				start -= size
				continue
			}
			if r == ' ' && start < end {
				if c := fieldCategory(strings.Trim(s[start:end], " *_")); c != 0 {
					found[c] = true
				}
				words++
				start -= size
				continue
			}
			break
		}
		if c := fieldCategory(strings.Trim(s[start:end], " *_")); c != 0 {
			found[c] = true
		}
		_, size := utf8.DecodeRuneInString(s[end:])
		i = end + size
	}
	return found
}

// wordCount is len(strings.Fields(s)) without building the slice.
func wordCount(s string) int {
	n, space := 0, true
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			n++
		}
		space = false
	}
	return n
}

// isReplyAbove reports whether s is a "reply above this line" marker
// (replyAboveRe). Every such marker opens, after its rule characters, with
// one of a few words: other lines are turned away before the expression,
// which costs a good share of reading a reply when run on every line.
// Lines that open with other than ASCII go to the expression, whose case
// folding goes beyond ASCII.
func isReplyAbove(s string) bool {
	t := strings.TrimLeft(s, " \t\n\f\r-=_*#~>")
	if t == "" || t[0] < utf8.RuneSelf && strings.IndexByte("abprtw", t[0]|0x20) < 0 {
		return false
	}
	for i := range min(len(t), 24) {
		if t[i] >= utf8.RuneSelf {
			return replyAboveRe.MatchString(s)
		}
	}
	for _, w := range replyAboveWords {
		if len(t) >= len(w) && strings.EqualFold(t[:len(w)], w) {
			return replyAboveRe.MatchString(s)
		}
	}
	return false
}

// replyAboveWords are the ASCII words a replyAboveRe marker opens with.
var replyAboveWords = []string{"please ", "reply", "write", "type", "respond", "antworten sie", "bitte antworten sie"}

// hasDate reports whether s carries something that looks like a date or a
// time of day (dateRe).
func hasDate(s string) bool {
	if strings.IndexFunc(s, unicode.IsDigit) < 0 {
		return false
	}
	exact, year := dateShapes(s)
	return exact || year
}

// hasExactDate reports a numeric date or a time of day, not just a year
// (exactDateRe).
func hasExactDate(s string) bool {
	if strings.IndexFunc(s, unicode.IsDigit) < 0 {
		return false
	}
	exact, _ := dateShapes(s)
	return exact
}

// hasAddress reports whether s carries an email address.
func hasAddress(s string) bool {
	return strings.Contains(s, "@") && emailRe.MatchString(s)
}

// isClosing reports whether the whole line is a formulaic closing.
func isClosing(s string) bool {
	s = strings.ToLower(strings.Trim(s, " \t*_"))
	s = strings.TrimRight(s, ",.!;:-–— ")
	if len(s) > 40 {
		return false
	}
	return closingSet[s]
}

// isMobileFooter reports whether a line is an app footer such as
// "Sent from my iPhone" or "Von meinem iPhone gesendet".
func isMobileFooter(s string) bool {
	s = stripBracketed(s)
	s = strings.TrimSpace(strings.Trim(s, " \t*_"))
	s = strings.TrimRight(s, ". ")
	if s == "" || len(s) > 90 || strings.ContainsAny(s, ";!?") {
		return false
	}
	low := strings.ToLower(s)
	if !footerShape(low) {
		return false
	}
	// A comma is allowed only after the device has been named, as in
	// "Sent via the Samsung Galaxy, an AT&T 5G smartphone".
	words := wordCount(s)
	if words > 14 {
		return false
	}
	maxWords := 10
	if i := strings.IndexByte(s, ','); i >= 0 {
		// "Sent via the Samsung Galaxy, an AT&T 5G smartphone",
		// "Sent from my Verizon, Samsung Galaxy smartphone".
		short := words <= 8 && deviceWords.MatchString(s[i:])
		if !short && !deviceWords.MatchString(s[:i]) {
			return false
		}
		maxWords = 14
	}
	if words > maxWords {
		return false
	}
	if footerLiteral(low) {
		return true
	}
	for _, p := range mobileFooterPrefixes {
		if strings.HasPrefix(low, p) {
			if strings.Contains(p, " my ") || strings.HasSuffix(p, "mein ") ||
				mobileFooterWords.MatchString(low[len(p):]) || mobileFooterWords.MatchString(p) {
				return true
			}
		}
	}
	for _, suf := range mobileFooterSuffixes {
		if strings.HasSuffix(low, suf) && wordCount(low) <= 5 && deviceWords.MatchString(low) {
			return true
		}
	}
	return false
}

// footerLiteral reports whether low is a whole footer on its own.
func footerLiteral(low string) bool {
	return low == "via mobile" || low == "from my phone" || low == "from my mobile"
}

// footerShape reports whether low, a lower-case line, opens or ends as a
// mobile footer can at all: every footer isMobileFooter accepts does, and
// most lines are told apart by it before any pattern runs.
func footerShape(low string) bool {
	if footerLiteral(low) {
		return true
	}
	for _, p := range mobileFooterPrefixes {
		if strings.HasPrefix(low, p) {
			return true
		}
	}
	for _, suf := range mobileFooterSuffixes {
		if strings.HasSuffix(low, suf) {
			return true
		}
	}
	return false
}

// stripBracketed removes "<…>" and "(http…)" segments, which footers and
// signatures use to carry link targets.
func stripBracketed(s string) string {
	if !strings.ContainsAny(s, "<(") {
		return s
	}
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '<':
			depth++
		case c == '>' && depth > 0:
			depth--
		case c == '(' && depth == 0 && strings.HasPrefix(s[i:], "(http"):
			if j := strings.IndexByte(s[i:], ')'); j > 0 {
				i += j
				continue
			}
			b.WriteByte(c)
		default:
			if depth == 0 {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}
