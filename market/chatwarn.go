package market

import (
	"regexp"
	"strings"

	"p2pdesk/api"
	"p2pdesk/usertext"
)

var (
	linkRE    = regexp.MustCompile(`(?i)(https?://|www\.|\b[a-z0-9-]+\.(com|net|org|io|me|cc|xyz|top|cn|app|link|ly)\b|t\.me/|wa\.me/)`)
	warnWords = map[string][]string{
		api.WarnOffPlatform: {"wechat", "weixin", "微信", "telegram", "whatsapp", " qq", "qq号", "line app", "signal app", "add me", "contact me on",
			"outside the platform", "off platform", "off-platform", "lower fee", "no fee", "pay directly", "私下", "加我", "场外"},
		api.WarnImpersonation: {"customer service", "customer support", "support team", "official notice", "platform support", "security team",
			"your account will be frozen", "risk control", "your account will be restricted", "客服", "官方", "冻结", "风控"},
		api.WarnPressure: {"hurry", "quickly", "right now", "release now", "release it now", "asap", "urgent", "immediately", "paid first", "快点", "马上放", "赶紧", "立即放", "立刻放", "先点", "先标记"},
		api.WarnProof:    {"screenshot", "receipt", "proof of payment", "see attached", "payment proof", "截图", "转账凭证"},
		api.WarnCode: {"6-digit", "verification code", "authenticator", "2fa", " otp", "sms code", "google code", "your code", "the code",
			"password", "id card", "id photo", "photo of your id", "验证码", "动态码", "谷歌验证", "密码", "身份证"},
		// No platform charges to raise a limit, unfreeze an account or
		// verify a payment: an advance fee asked in chat is the scam.
		api.WarnFee: {"deposit", "unlock fee", "activation fee", "unfreeze fee", "lift your limit", "raise your limit", "limit desk",
			"押金", "保证金", "提额", "解冻费", "激活费"},
	}
)

// ChatWarnings lists the warnings a message deserves.
// It matches on usertext.Fold's form, so fullwidth letters and invisible
// characters do not hide a word.
func ChatWarnings(text string) []string {
	var out []string
	low := " " + usertext.Fold(text)
	if linkRE.MatchString(low) {
		out = append(out, api.WarnLink)
	}
	for _, w := range []string{api.WarnOffPlatform, api.WarnImpersonation, api.WarnPressure, api.WarnProof, api.WarnCode, api.WarnFee} {
		for _, word := range warnWords[w] {
			if strings.Contains(low, word) {
				out = append(out, w)
				break
			}
		}
	}
	return out
}
