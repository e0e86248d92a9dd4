package api

import "strings"

// Chat warnings: what a careful trader should notice in a counterparty's
// message. They are hints shown next to the message, never a block.
const (
	WarnLink          = "link"          // a link: genuine orders never need one
	WarnOffPlatform   = "off-platform"  // asks to move to another app or pay outside
	WarnImpersonation = "impersonation" // poses as the platform or its support
	WarnPressure      = "pressure"      // pushes to release or hurry
	WarnProof         = "proof"         // offers a screenshot or receipt instead of the money
	WarnCode          = "code"          // asks for a one-time code, a password or an ID
	WarnFee           = "fee"           // asks for a deposit or fee to lift a limit, unfreeze or verify
)

// cryptoWords are what a payment note may not say: the platform's rules
// (and every guide) forbid naming the crypto or the trade in the note, and
// money from a fraud victim often carries them.
var cryptoWords = []string{"usdt", "btc", "eth", "bitcoin", "crypto", "coin", "tether", "泰达", "比特币", "虚拟币", "数字货币", "币"}

// NoteNamesCrypto: a statement line's note names the crypto.
func NoteNamesCrypto(note string) bool {
	low := strings.ToLower(note)
	for _, w := range cryptoWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}
