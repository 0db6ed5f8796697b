package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Operation names (SPEC §6.2). OpInit names the first audit-log event only
// and OpObserve an audit-log event recording a change a real backend read on
// its machine (actor ActorOutside, SPEC §6.3); neither can be sent.
const (
	OpAddBinding             = "iis.addBinding"
	OpRemoveBinding          = "iis.removeBinding"
	OpSetSslFlags            = "iis.setSslFlags"
	OpConfigureSsl           = "wsus.configureSsl"
	OpUnconfigureSsl         = "wsus.unconfigureSsl"
	OpSetSiteMode            = "cm.setSiteMode"
	OpSetSoftwareUpdatePoint = "cm.setSoftwareUpdatePoint"
	OpSetClientAgent         = "cm.setClientAgent"
	OpInit                   = "init"
	OpObserve                = "observe"
)

// ActorOutside is the actor of OpObserve events: someone who changed the
// machine without supd (by hand, in IIS Manager or the ConfigMgr console).
const ActorOutside = "outside"

// OpNames lists the eight operations a client can send, in SPEC order. Do not modify.
var OpNames = []string{
	OpAddBinding, OpRemoveBinding, OpSetSslFlags, OpConfigureSsl, OpUnconfigureSsl,
	OpSetSiteMode, OpSetSoftwareUpdatePoint, OpSetClientAgent,
}

// AddBindingArgs are the arguments of OpAddBinding.
type AddBindingArgs struct {
	Protocol   string `json:"protocol"`
	Port       int    `json:"port"`
	Thumbprint string `json:"thumbprint,omitempty"` // https only
}

// RemoveBindingArgs are the arguments of OpRemoveBinding.
type RemoveBindingArgs struct {
	Protocol string `json:"protocol"`
	Port     int    `json:"port"`
}

// SetSslFlagsArgs are the arguments of OpSetSslFlags.
type SetSslFlagsArgs struct {
	VRoot string   `json:"vroot"`
	Flags []string `json:"flags"`
}

// ConfigureSslArgs are the arguments of OpConfigureSsl.
type ConfigureSslArgs struct {
	CertificateName string `json:"certificateName"`
}

// UnconfigureSslArgs are the (empty) arguments of OpUnconfigureSsl.
type UnconfigureSslArgs struct{}

// SetSiteModeArgs are the arguments of OpSetSiteMode.
type SetSiteModeArgs struct {
	Mode string `json:"mode"`
}

// SetSoftwareUpdatePointArgs are the arguments of OpSetSoftwareUpdatePoint:
// the whole SUP, or nil to remove it (sent as JSON null).
type SetSoftwareUpdatePointArgs = *SUP

// SetClientAgentArgs are the arguments of OpSetClientAgent: the whole agent.
type SetClientAgentArgs = ClientAgent

// ErrUnknownOp is returned (wrapped) by DecodeArgs for an op name it does not know.
var ErrUnknownOp = errors.New("unknown op")

// NewOp returns the Op named name with args encoded as JSON. args should be
// the op's typed argument value (e.g. AddBindingArgs, *SUP, ClientAgent).
func NewOp(name string, args any) (Op, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return Op{}, fmt.Errorf("encode args of %s: %w", name, err)
	}
	return Op{Op: name, Args: raw}, nil
}

// DecodeArgs decodes op.Args strictly into the op's typed arguments: unknown
// fields, wrong types and trailing data are errors. The result is one of
// AddBindingArgs, RemoveBindingArgs, SetSslFlagsArgs, ConfigureSslArgs,
// UnconfigureSslArgs, SetSiteModeArgs, *SUP (nil for null) or ClientAgent.
// Missing or null args are accepted only by OpUnconfigureSsl and
// OpSetSoftwareUpdatePoint. DecodeArgs checks the shape only; whether the op
// is valid on a given server is the agent's business.
func DecodeArgs(op Op) (any, error) {
	raw := bytes.TrimSpace(op.Args)
	isNull := len(raw) == 0 || bytes.Equal(raw, []byte("null"))
	switch op.Op {
	case OpAddBinding:
		return decodeObject[AddBindingArgs](op.Op, raw, isNull)
	case OpRemoveBinding:
		return decodeObject[RemoveBindingArgs](op.Op, raw, isNull)
	case OpSetSslFlags:
		return decodeObject[SetSslFlagsArgs](op.Op, raw, isNull)
	case OpConfigureSsl:
		return decodeObject[ConfigureSslArgs](op.Op, raw, isNull)
	case OpUnconfigureSsl:
		if isNull {
			return UnconfigureSslArgs{}, nil
		}
		return decodeObject[UnconfigureSslArgs](op.Op, raw, false)
	case OpSetSiteMode:
		return decodeObject[SetSiteModeArgs](op.Op, raw, isNull)
	case OpSetSoftwareUpdatePoint:
		if isNull {
			return (*SUP)(nil), nil
		}
		sup, err := decodeObject[SUP](op.Op, raw, false)
		if err != nil {
			return nil, err
		}
		return &sup, nil
	case OpSetClientAgent:
		return decodeObject[ClientAgent](op.Op, raw, isNull)
	default:
		return nil, fmt.Errorf("%w %q", ErrUnknownOp, op.Op)
	}
}

func decodeObject[T any](name string, raw []byte, isNull bool) (T, error) {
	var v T
	if isNull {
		return v, fmt.Errorf("args of %s: missing", name)
	}
	if raw[0] != '{' {
		return v, fmt.Errorf("args of %s: not a JSON object", name)
	}
	if err := DecodeStrict(bytes.NewReader(raw), &v); err != nil {
		return v, fmt.Errorf("args of %s: %w", name, err)
	}
	return v, nil
}

// DecodeStrict decodes one JSON value from r into v, refusing unknown
// fields, a key written twice in one object (at any depth; see
// DuplicateKeyError) and anything but white space after the value. A read
// error of r (such as *http.MaxBytesError) is wrapped, not replaced.
func DecodeStrict(r io.Reader, v any) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after JSON value")
	}
	// Only a value that decoded is walked for duplicates, so the walk
	// meets no syntax error.
	return checkDuplicateKeys(data)
}
