#!/usr/bin/env bash
# Synthesise the eldercare IVR prompts (Mandarin) as 8 kHz mono 16-bit wav.
#   tools/asterisk/make_prompts.sh <sounds dir>     e.g. /usr/share/asterisk/sounds
# Writes <sounds dir>/zh/eldercare/<name>.wav and <sounds dir>/eldercare/<name>.wav
# (same audio, the language-less fallback Asterisk tries last; sounds/en is an
# absolute symlink inside the chroot, never write through it). Needs espeak-ng and sox.
# Without them nothing is written: the menu still works with digits.
# Per call, the dialer (bridge) speaks the elder's name from a file it
# synthesises once per name the same way into <sounds dir>/eldercare-tts
# (EC_TTS_DIR); the centre's callback number is read with the digit-N prompts.
set -euo pipefail
SOUNDS="${1:?usage: make_prompts.sh <asterisk sounds dir>}"
HERE="$(cd "$(dirname "$0")" && pwd)"
TSV="$HERE/../../addons/eldercare_asterisk/asterisk/prompts/prompts.tsv"
if ! command -v espeak-ng >/dev/null || ! command -v sox >/dev/null; then
    echo "make_prompts: espeak-ng or sox missing; IVR runs without spoken prompts" >&2
    exit 0
fi
mkdir -p "$SOUNDS/zh/eldercare" "$SOUNDS/eldercare" "$SOUNDS/eldercare-tts"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0
while IFS=$'\t' read -r name text; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    espeak-ng -v cmn -s 150 -w "$TMP/$name.raw.wav" "$text"
    sox "$TMP/$name.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$SOUNDS/zh/eldercare/$name.wav"
    cp "$SOUNDS/zh/eldercare/$name.wav" "$SOUNDS/eldercare/$name.wav"
    n=$((n + 1))
done < "$TSV"
echo "make_prompts: $n prompt(s) in $SOUNDS/zh/eldercare"
