package windows_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"unicode/utf16"

	//lint:ignore SA1019 NTLM's NTOWFv2 is MD4 by definition (MS-NLMP 3.3.2): compatibility with a legacy protocol is the point
	"golang.org/x/crypto/md4"
)

// The test endpoint's side of NTLMv2 (MS-NLMP): it answers a NEGOTIATE
// message with a CHALLENGE of a fixed server challenge for domain
// ntlmDomain, and checks the AUTHENTICATE message's NTProofStr against the
// password it knows, as a Windows server does with the domain controller's
// help (MS-NLMP 3.3.2: NTOWFv2, then HMAC-MD5 over the server challenge and
// the client's blob).

const ntlmDomain = "CORP"

var serverChallenge = [8]byte{1, 2, 3, 4, 5, 6, 7, 8}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func fromUTF16le(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// ntlmChallenge is the CHALLENGE_MESSAGE: NTLM, Unicode, target info.
func ntlmChallenge() string {
	name := utf16le(ntlmDomain)
	var info bytes.Buffer
	binary.Write(&info, binary.LittleEndian, uint16(2)) // MsvAvNbDomainName
	binary.Write(&info, binary.LittleEndian, uint16(len(name)))
	info.Write(name)
	info.Write([]byte{0, 0, 0, 0}) // MsvAvEOL
	const fixed = 48
	var m bytes.Buffer
	m.WriteString("NTLMSSP\x00")
	binary.Write(&m, binary.LittleEndian, uint32(2))
	binary.Write(&m, binary.LittleEndian, [2]uint16{uint16(len(name)), uint16(len(name))})
	binary.Write(&m, binary.LittleEndian, uint32(fixed))
	const flags = 1<<0 | 1<<2 | 1<<9 | 1<<16 | 1<<23 // UNICODE, REQUEST_TARGET, NTLM, TARGET_TYPE_DOMAIN, TARGET_INFO
	binary.Write(&m, binary.LittleEndian, uint32(flags))
	m.Write(serverChallenge[:])
	m.Write(make([]byte, 8))
	binary.Write(&m, binary.LittleEndian, [2]uint16{uint16(info.Len()), uint16(info.Len())})
	binary.Write(&m, binary.LittleEndian, uint32(fixed+len(name)))
	m.Write(name)
	m.Write(info.Bytes())
	return base64.StdEncoding.EncodeToString(m.Bytes())
}

// ntlmMessage returns the type of the NTLM message in an
// "Authorization: NTLM …" value, and the message.
func ntlmMessage(header string) (uint32, []byte, error) {
	data, ok := strings.CutPrefix(header, "NTLM ")
	if !ok {
		return 0, nil, errors.New("not NTLM")
	}
	msg, err := base64.StdEncoding.DecodeString(data)
	if err != nil || len(msg) < 12 || string(msg[:8]) != "NTLMSSP\x00" {
		return 0, nil, errors.New("not an NTLM message")
	}
	return binary.LittleEndian.Uint32(msg[8:12]), msg, nil
}

// field returns the payload of the varField at offset off of msg.
func field(msg []byte, off int) ([]byte, error) {
	if len(msg) < off+8 {
		return nil, errors.New("short message")
	}
	n := int(binary.LittleEndian.Uint16(msg[off:]))
	at := int(binary.LittleEndian.Uint32(msg[off+4:]))
	if at+n > len(msg) {
		return nil, errors.New("field beyond the message")
	}
	return msg[at : at+n], nil
}

// ntlmVerify checks an AUTHENTICATE_MESSAGE for user (DOMAIN\name or
// name) and password.
func ntlmVerify(msg []byte, user, password string) error {
	if _, name, ok := strings.Cut(user, `\`); ok {
		user = name
	}
	nt, err := field(msg, 20)
	if err != nil {
		return err
	}
	name, err := field(msg, 36)
	if err != nil {
		return err
	}
	if !strings.EqualFold(fromUTF16le(name), user) {
		return errors.New("unknown user")
	}
	if len(nt) <= 16 {
		return errors.New("not an NTLMv2 response")
	}
	h := md4.New()
	h.Write(utf16le(password))
	key := hmacMD5(h.Sum(nil), utf16le(strings.ToUpper(fromUTF16le(name))+ntlmDomain))
	if !hmac.Equal(hmacMD5(key, serverChallenge[:], nt[16:]), nt[:16]) {
		return errors.New("wrong password")
	}
	return nil
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}
