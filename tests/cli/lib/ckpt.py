"""ckpt.py - the kill-and-resume tests' tools (resume_kill.sh, chaos_kill.sh).

Reads the checkpoint format (include/descent/checkpoint.h) on its own, so
the tests do not trust descent's reader to judge descent's files, and runs
a command until a condition on its checkpoint holds, then SIGKILLs it.
As a program: ckpt.py position|digest CK, ckpt.py kill-at-step CK N CMD...,
ckpt.py kill-in-write CK CMD... (see the end of this file)."""
import glob, hashlib, os, signal, struct, subprocess, sys, time, zlib


def records(path):
    d = open(path, "rb").read()
    assert d[:8] == b"DESCENT\x1a", path + ": bad magic"
    ver, n, size, crc, hcrc = struct.unpack("<IIQII", d[8:32])
    assert hcrc == zlib.crc32(d[:28]) and crc == zlib.crc32(d[32:]) and size == len(d) - 32, path
    recs, pos = {}, 32
    for _ in range(n):
        (ln,) = struct.unpack_from("<I", d, pos)
        name = d[pos + 4:pos + 4 + ln].decode()
        typ, cnt = struct.unpack_from("<IQ", d, pos + 4 + ln)
        nbytes = cnt * (4 if typ == 0 else 1 if typ == 3 else 8)
        recs[name] = (typ, d[pos + 16 + ln:pos + 16 + ln + nbytes])
        pos += 16 + ln + nbytes
    assert pos == len(d), path + ": stray bytes"
    return recs


def i64(recs, name):
    return struct.unpack("<q", recs[name][1])[0]


def position(path):
    r = records(path)
    return i64(r, "train.epoch"), i64(r, "train.batch"), i64(r, "train.step")


def step_or_none(path):
    try:
        return position(path)[2]
    except (OSError, KeyError):
        return None  # not written yet: the rename makes a partial file impossible


def digest(path):
    """One line per record; wall-clock times and where the run writes (out.*)
    are the only records allowed to differ."""
    return ["%s %d %s" % (name, typ, hashlib.sha256(data).hexdigest())
            for name, (typ, data) in records(path).items()
            if name not in ("train.seconds", "train.epoch_seconds") and not name.startswith("out.")]


def kill_when(until, argv, err="run.err", delay=0.0):
    """Runs argv, SIGKILLs it `delay` seconds after until() holds; returns the
    exit status (-9 killed; 0 if it finished first). Its stderr goes to err."""
    with open(err, "wb") as f:
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=f)
    deadline = time.monotonic() + 120
    while p.poll() is None and not until() and time.monotonic() < deadline:
        time.sleep(0.0005)
    if p.poll() is None:
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
    return p.wait()


def killed_at(ck, rc):
    """The kill's exit status and the position of ck afterwards, one line."""
    print(rc, *(position(ck) if os.path.exists(ck) else ("none",)))


if __name__ == "__main__":
    cmd, ck = sys.argv[1], sys.argv[2]
    if cmd == "position":
        print(*position(ck))
    elif cmd == "digest":
        print("\n".join(digest(ck)))
    elif cmd == "kill-at-step":  # once ck records step >= N
        n = int(sys.argv[3])
        killed_at(ck, kill_when(lambda: (step_or_none(ck) or 0) >= n, sys.argv[4:]))
    elif cmd == "kill-in-write":  # once ck exists and a temporary file of it too
        killed_at(ck, kill_when(lambda: os.path.exists(ck) and glob.glob(ck + ".tmp.*"),
                                sys.argv[3:]))
    else:
        sys.exit("ckpt.py: unknown command " + cmd)
