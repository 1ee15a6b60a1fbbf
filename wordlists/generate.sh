#!/bin/sh
# Rebuilds the compressed word lists in this folder from their sources.
#
# Needs node, the npm package zxcvbn@4.4.2 unpacked at $ZXCVBN (default
# ./node_modules/zxcvbn, e.g. after `npm install zxcvbn@4.4.2`) and the
# Debian package wamerican (/usr/share/dict/american-english).
# The output is deterministic: gzip -n records no name or time stamp.
set -eu
cd "$(dirname "$0")"
ZXCVBN=${ZXCVBN:-./node_modules/zxcvbn}
DICT=${DICT:-/usr/share/dict/american-english}

# Common passwords: every entry of zxcvbn's "passwords" frequency list, in
# its order (most common first), one a line.
node -e '
const fl = require(process.argv[1] + "/lib/frequency_lists.js");
process.stdout.write(fl.passwords.join("\n") + "\n");
' "$(cd "$ZXCVBN" && pwd)" | gzip -9n > common-passwords.txt.gz

# English words: lower-case words of four or more ASCII letters, which
# leaves out proper nouns, possessives and accented words.
LC_ALL=C grep -E '^[a-z]{4,}$' "$DICT" | LC_ALL=C sort -u | gzip -9n > english-words.txt.gz

cp "$ZXCVBN/LICENSE.txt" LICENSE-zxcvbn.txt
cp /usr/share/doc/wamerican/copyright LICENSE-wamerican.txt
