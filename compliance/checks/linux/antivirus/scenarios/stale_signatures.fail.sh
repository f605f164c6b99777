# The mirror stopped delivering: the database's declared build time is rewritten to
# signature_max_age_days + 3 days ago (same length, so the container still loads).
# DENGBAO_DATABASE names another copy (molecule/antivirus sets back the mirror's own).
database=${DENGBAO_DATABASE:-/var/lib/clamav/dengbao.cud}
old=$(date -u -d '{{ policy.antivirus.signature_max_age_days + 3 }} days ago' '+%d %b %Y')
python3 - "$old" "$database" <<'PY'
import sys
path = sys.argv[2]
data = bytearray(open(path, "rb").read())
header = data[:512].decode("latin-1")
fields = header.split(":")
fields[1] = sys.argv[1] + fields[1][len(sys.argv[1]):]
data[:512] = ":".join(fields).encode("latin-1")
open(path, "wb").write(data)
PY
sigtool --info="$database" | grep 'Build time'
