package tokens

import (
	"math"
	"strings"
)

// Estimate counts tokens without a tokenizer: one pass over the bytes of the
// text, summing a weight for each pair of adjacent byte classes (a lowercase
// letter after an uppercase one, a tab after a newline, …). The weights of
// each family were fitted against that family's real tokenizer (or, for
// Claude, a stand-in: see DESIGN.md) and include a factor that makes the
// estimate come out at or above the real count for about 98 % of
// chunk-sized texts.
//
// Its zero value estimates for FamilyGeneric with no extra margin. It is safe
// for concurrent use and does not allocate.
type Estimate struct {
	// Family chooses the weights. An unknown family, or one with an exact
	// tokenizer, gets the weights fitted to its own counts when there are
	// some and FamilyGeneric's otherwise.
	Family Family

	// Margin is a safety margin on top of the calibrated estimate: 0.1
	// makes every count 10 % higher. A negative margin trades safety for
	// accuracy where many counts are summed: about −0.1 gives the median
	// estimate (DESIGN.md). Margins at or below −1 are ignored.
	Margin float64
}

// Count returns the estimated number of tokens in text, rounded up.
func (e Estimate) Count(text string) int {
	if text == "" {
		return 0
	}
	cal := calibrationFor(e.Family)
	sum := weigh(&cal.weights, text)
	if sum <= 0 {
		return 1
	}
	f := cal.scale
	if e.Margin > -1 {
		f *= 1 + e.Margin
	}
	return int(math.Ceil(float64(sum) / weightUnit * f))
}

// weightUnit is the fixed-point unit of the weights: a weight of 65536 is
// one token.
const weightUnit = 1 << 16

// calibration is what the fit produced for one family.
type calibration struct {
	// weights[prev<<classBits|cur] is the cost, in 1/weightUnit token, of a byte of
	// class cur that follows one of class prev.
	weights [numClasses * numClasses]int32
	// scale turns the fitted sum into a count that errs high.
	scale float64
}

// weigh sums the transition weights of text. It is the estimator's whole
// cost: two table loads and an add per byte.
func weigh(w *[numClasses * numClasses]int32, text string) int64 {
	var sum int64
	prev := uint(classStart)
	for i := 0; i < len(text); i++ {
		c := uint(byteClass[text[i]])
		sum += int64(w[(prev<<classBits|c)&(numClasses*numClasses-1)])
		prev = c
	}
	return sum
}

// The byte classes. Their order is part of the fitted weights: changing it
// means running the calibration again. Vowels and consonants are told apart
// because a run of letters costs fewer tokens when it reads like a word than
// when it reads like an identifier soup, a hash or base64.
const (
	classStart       = iota // before the first byte
	classVowel              // a e i o u
	classConsonant          // other a-z
	classUpperVowel         // A E I O U
	classUpper              // other A-Z
	classDigit              // 0-9
	classSpace              // ' '
	classTab                // '\t'
	classNewline            // '\n'
	classControl            // '\r', other C0 controls, DEL
	classUnderscore         // _
	classDot                // .
	classOpen               // ( [ {
	classClose              // ) ] }
	classDoubleQuote        // "
	classQuote              // '
	classBackquote          // `
	classComma              // ,
	classSemicolon          // ;
	classColon              // :
	classSlash              // /
	classBackslash          // \
	classHyphen             // -
	classEquals             // =
	classArith              // + * %
	classAngle              // < >
	classBitwise            // | & ^ ~
	classHash               // #
	classSigil              // @ $
	classBang               // ! ?
	classContinue           // UTF-8 continuation byte (10xxxxxx)
	classLead               // UTF-8 lead byte (11xxxxxx)
	numClasses
)

// classBits is log2(numClasses): weights are indexed by prev<<classBits|cur.
const classBits = 5

// byteClass maps each byte to its class.
var byteClass = func() (t [256]uint8) {
	ascii := map[byte]uint8{
		' ': classSpace, '\t': classTab, '\n': classNewline, '_': classUnderscore, '.': classDot,
		'(': classOpen, '[': classOpen, '{': classOpen, ')': classClose, ']': classClose, '}': classClose,
		'"': classDoubleQuote, '\'': classQuote, '`': classBackquote, ',': classComma, ';': classSemicolon,
		':': classColon, '/': classSlash, '\\': classBackslash, '-': classHyphen, '=': classEquals,
		'+': classArith, '*': classArith, '%': classArith, '<': classAngle, '>': classAngle,
		'|': classBitwise, '&': classBitwise, '^': classBitwise, '~': classBitwise, '#': classHash,
		'@': classSigil, '$': classSigil, '!': classBang, '?': classBang,
	}
	for i := range 256 {
		b := byte(i)
		var c uint8
		switch {
		case strings.IndexByte("aeiou", b) >= 0:
			c = classVowel
		case b >= 'a' && b <= 'z':
			c = classConsonant
		case strings.IndexByte("AEIOU", b) >= 0:
			c = classUpperVowel
		case b >= 'A' && b <= 'Z':
			c = classUpper
		case b >= '0' && b <= '9':
			c = classDigit
		case ascii[b] != 0:
			c = ascii[b]
		case b < 0x80:
			c = classControl // what is left: C0 controls but tab and newline, DEL
		case b < 0xc0:
			c = classContinue
		default:
			c = classLead
		}
		t[i] = c
	}
	return t
}()

// calibrationFor returns the weights of a family: its own when it has
// some, FamilyGeneric's otherwise.
func calibrationFor(f Family) *calibration {
	switch f {
	case FamilyO200k:
		return &calO200k
	case FamilyCl100k:
		return &calCl100k
	case FamilyLlama3:
		return &calLlama3
	case FamilyQwen:
		return &calQwen
	case FamilyGemma:
		return &calGemma
	case FamilyLlama2:
		return &calLlama2
	case FamilyClaude:
		return &calClaude
	case FamilyClaude47:
		return &calClaude47
	}
	return &calGeneric
}
