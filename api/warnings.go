package api

// Chat warnings: what a careful trader should notice in a counterparty's
// message. They are hints shown next to the message, never a block.
const (
	WarnLink          = "link"          // a link: genuine orders never need one
	WarnOffPlatform   = "off-platform"  // asks to move to another app or pay outside
	WarnImpersonation = "impersonation" // poses as the platform or its support
	WarnPressure      = "pressure"      // pushes to release or hurry
	WarnProof         = "proof"         // offers a screenshot or receipt instead of the money
)
