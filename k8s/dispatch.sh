#!/bin/sh
# Dispatches notice $NOTICE_ID on $HERALD_URL, then prints its progress until nothing is left to do.
# Exit 0 when COMPLETED, 1 when it was CANCELLED or could not be dispatched.
set -eu
: "${HERALD_URL:?}" "${NOTICE_ID:?}"

answer=$(curl -sS -o /tmp/dispatch.json -w '%{http_code}' -X POST "$HERALD_URL/v1/notices/$NOTICE_ID/dispatch")
case "$answer" in
  202) echo "notice $NOTICE_ID: dispatched" ;;
  409) echo "notice $NOTICE_ID: already dispatched; watching it" ;;
  *) echo "notice $NOTICE_ID: dispatch refused ($answer)"; cat /tmp/dispatch.json; echo; exit 1 ;;
esac

while true; do
  status=$(curl -sS "$HERALD_URL/v1/notices/$NOTICE_ID" | grep -o '"status":"[A-Z]*"' | head -n 1 | cut -d'"' -f4)
  echo "$(date -u +%FT%TZ) $status $(curl -sS "$HERALD_URL/v1/notices/$NOTICE_ID/progress")"
  case "$status" in
    COMPLETED) exit 0 ;;
    CANCELLED) exit 1 ;;
    DRAFT) echo "notice $NOTICE_ID is still a DRAFT: $(cat /tmp/dispatch.json)"; exit 1 ;;
  esac
  sleep 10
done
