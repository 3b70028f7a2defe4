#!/usr/bin/env python3
# Renumbers the "## Fault and abuse cases" list of doc/testing.md and its "N cases." count.
import re, sys
p = sys.argv[1] if len(sys.argv) > 1 else 'doc/testing.md'
s = open(p).read()
start = s.index('## Fault and abuse cases')
m = re.search(r'\n## ', s[start + 5:])
end = start + 5 + m.start() if m else len(s)
sec = s[start:end]
n = 0
def num(m):
    global n
    n += 1
    return f'{n}. '
sec = re.sub(r'(?m)^\d+\. ', num, sec)
sec = re.sub(r'\d+ cases\.', f'{n} cases.', sec, count=1)
open(p, 'w').write(s[:start] + sec + s[end:])
print(n, 'cases')
