package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/redis/go-redis/v9"
)

const totpPeriod = 30

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// matchStep returns the time step (±1 around now) whose code is code.
func matchStep(secret, code string, now time.Time) (int64, bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	for _, st := range []int64{step - 1, step, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0).UTC(), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st, true
		}
	}
	return 0, false
}

// claimStep records that op used the code of step; it reports false when that
// step (or a later one) was used already, so a code works once.
var claimStepScript = redis.NewScript(`
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`)

func (s *Service) claimStep(ctx context.Context, op uuid.UUID, step int64) (bool, error) {
	// The key outlives the window in which the step's code is accepted.
	n, err := claimStepScript.Run(ctx, s.rdb, []string{s.key("totp_step", op.String())},
		strconv.FormatInt(step, 10), 4*totpPeriod).Int()
	if err != nil {
		return false, fmt.Errorf("totp step: %w", err)
	}
	return n == 1, nil
}

// checkCode reports whether code is a valid, unused code of secret for op.
func (s *Service) checkCode(ctx context.Context, op uuid.UUID, secret, code string) (bool, error) {
	step, ok := matchStep(secret, code, s.now())
	if !ok {
		return false, nil
	}
	return s.claimStep(ctx, op, step)
}

// RecoveryCodes is how many recovery codes an operator gets.
const RecoveryCodes = 10

const recoveryAlphabet = "abcdefghijkmnpqrstuvwxyz23456789" // 32 symbols, no l, o, 0, 1

// newRecoveryCodes returns codes like "ab3f-9k2m" and the hashes to store.
func newRecoveryCodes() (codes, hashes []string) {
	for range RecoveryCodes {
		b := make([]byte, 8)
		rand.Read(b) //nolint:errcheck
		for i := range b {
			b[i] = recoveryAlphabet[int(b[i])%len(recoveryAlphabet)]
		}
		code := string(b[:4]) + "-" + string(b[4:])
		codes = append(codes, code)
		hashes = append(hashes, hashRecoveryCode(code))
	}
	return codes, hashes
}

// hashRecoveryCode hashes code as typed: case and dashes do not matter.
func hashRecoveryCode(code string) string {
	norm := strings.NewReplacer("-", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(code)))
	sum := sha256.Sum256([]byte(norm))
	return hex.EncodeToString(sum[:])
}
