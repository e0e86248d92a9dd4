package alipay

// KDFOf reads the parameters a stored password hash was made with.
func KDFOf(stored []byte) (KDF, bool) {
	k, _, ok := parseHash(stored)
	return k, ok
}

// HashPass and CheckPass are the rail's password hash and its check.
var (
	HashPass  = hashPass
	CheckPass = checkPass
)
