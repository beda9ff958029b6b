# Copies a built output folder the way flyx writes one (a folder per service,
# each file to a temporary name, then renamed), to time the file system alone.
import os, sys, time
src, dst = sys.argv[1], sys.argv[2]
files = []
for root, dirs, names in os.walk(src):
    for n in names:
        p = os.path.join(root, n)
        files.append((os.path.relpath(p, src), open(p, 'rb').read()))
start = time.time()
os.mkdir(dst)
made = set()
for rel, data in files:
    d = os.path.dirname(os.path.join(dst, rel))
    if d not in made and d != dst:
        os.mkdir(d); made.add(d)
    target = os.path.join(dst, rel)
    fd = os.open(target + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, data); os.close(fd)
    os.rename(target + ".tmp", target)
print(f"{len(files)} files in {len(made)} folders: {time.time() - start:.3f} s")
