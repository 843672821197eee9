#!/usr/bin/env bash
# t_quota_show_reserved: what `quota` and `df` show while an upload of the
# same user is in progress.  That upload reserved what it announced (4
# MiB of a 10 MiB limit, with 1 MiB used): the room is no longer free,
# and a PUT that needs it is refused, so the client's quota must not
# show it as free.  On the wire: a session that asked for
# MFTP_FEAT_QUOTA_RESERVED gets QUOTA_RSV_OK (the four figures and the
# bytes reserved), one that did not (an older client) gets QUOTA_OK as
# before.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

MiB=1048576
FEAT_QUOTA_RESERVED=16

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 10M
start_daemon
head -c "$MiB" /dev/urandom >"$T/one" || fail "cannot make one"
head -c $((4 * MiB)) /dev/urandom >"$T/four" || fail "cannot make four"

run_client alice "$pw" <<<"put $T/one one"
expect_rc 0 "the upload of 1 MiB"

# Nothing reserved: the figures as they always were.
run_client alice "$pw" <<<"quota"
expect_rc 0 "quota with nothing reserved"
expect_match "$OUT" '^bytes +1\.0 MiB +10 MiB +9\.0 MiB$' \
    "quota with nothing reserved: the bytes row"
expect_not_contains "$OUT" "reserved" "quota with nothing reserved"

# An upload of 4 MiB that has its PUT_READY and sends nothing yet.
raw_open alice "$pw"
held=$RAW_FD
raw_send "$(hex_put four $((4 * MiB)) 420 1700000000)"
raw_expect 0x87 "the held upload's PUT_READY"
expect_eq "$(acct_reserved alice)" $((4 * MiB)) "reserved by the held upload"

run_client alice "$pw" <<<"quota"
expect_rc 0 "quota during the upload"
expect_match "$OUT" '^bytes +1\.0 MiB +10 MiB +5\.0 MiB$' \
    "quota during the upload: free is what is neither used nor reserved"
expect_match "$OUT" \
    '^4\.0 MiB of the limit is reserved by uploads in progress\.$' \
    "quota during the upload: the reserved room is said"
ok "quota: room reserved by an upload in progress is not shown as free"

run_client alice "$pw" <<<"df -h"
expect_rc 0 "df -h during the upload"
expect_match "$OUT" '^ +10 MiB +5\.0 MiB +5\.0 MiB +50%$' \
    "df -h during the upload: used counts the reserved room"
run_client alice "$pw" <<<"df"
expect_rc 0 "df during the upload"
expect_match "$OUT" '^ +10240 +5120 +5120 +50%$' "df during the upload"
ok "df: room reserved by an upload in progress is used, not available"

# The wire, both ways.
RAW_FEATURES=$FEAT_QUOTA_RESERVED raw_open alice "$pw"
expect_eq $((RAW_GRANTED & FEAT_QUOTA_RESERVED)) $FEAT_QUOTA_RESERVED \
    "the feature granted"
raw_send "$(hex_frame 19)"
raw_expect 0x8b "QUOTA in a session with the feature"
expect_eq "$(raw_u64 0) $(raw_u64 16) $(raw_u64 32) $(raw_u64 48)" \
    "$MiB $((10 * MiB)) 2 0" \
    "QUOTA_RSV_OK: used, limit, files (one, and the partial), file limit"
expect_eq "$(raw_u64 64)" $((4 * MiB)) "QUOTA_RSV_OK: reserved"
expect_eq "${#RAW_HEX}" 80 "QUOTA_RSV_OK: five u64 and nothing more"
raw_close
RAW_FEATURES=0 raw_open alice "$pw"
raw_send "$(hex_frame 19)"
raw_expect 0x89 "QUOTA in a session without the feature"
expect_eq "$(raw_u64 0) $(raw_u64 16)" "$MiB $((10 * MiB))" \
    "QUOTA_OK: used and limit, as before"
expect_eq "${#RAW_HEX}" 64 "QUOTA_OK: four u64, as before"
raw_close
ok "QUOTA_RSV_OK only to a client that asked for it"

# The held upload completes; nothing is reserved, the usage is exact.
RAW_FD=$held
raw_send_file "$T/four" 0 $((4 * MiB))
raw_send "$(hex_data_end "$(sha256_of "$T/four")")"
raw_expect 0x80 "the held upload's end"
raw_close
run_client alice "$pw" <<<"quota"
expect_match "$OUT" '^bytes +5\.0 MiB +10 MiB +5\.0 MiB$' \
    "quota after the upload"
expect_not_contains "$OUT" "reserved" "quota after the upload"
expect_quota_exact alice "after the upload"
ok "quota after the upload: the reservation became usage"
