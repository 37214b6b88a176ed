// Natural order, the order of the reports (the server sorts them the same way): runs
// of ASCII digits compare by value, a digit run sorts before other text, other runs compare
// byte by byte with ASCII letters folded to lower case; then plain bytes break ties.

const encoder = new TextEncoder();

function runs(bytes) {
  const out = [];
  let i = 0;
  while (i < bytes.length) {
    const digit = bytes[i] >= 0x30 && bytes[i] <= 0x39;
    let j = i + 1;
    while (j < bytes.length && (bytes[j] >= 0x30 && bytes[j] <= 0x39) === digit) j++;
    out.push({ digit, bytes: bytes.subarray(i, j) });
    i = j;
  }
  return out;
}

function compareBytes(a, b, fold) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a[i];
    let y = b[i];
    if (fold) {
      if (x >= 0x41 && x <= 0x5a) x += 32;
      if (y >= 0x41 && y <= 0x5a) y += 32;
    }
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

function stripZeros(bytes) {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0x30) i++;
  return bytes.subarray(i);
}

export function naturalCompare(a, b) {
  const ba = encoder.encode(a);
  const bb = encoder.encode(b);
  const ra = runs(ba);
  const rb = runs(bb);
  const n = Math.min(ra.length, rb.length);
  for (let i = 0; i < n; i++) {
    const x = ra[i];
    const y = rb[i];
    let c;
    if (x.digit && y.digit) {
      const nx = stripZeros(x.bytes);
      const ny = stripZeros(y.bytes);
      c = nx.length !== ny.length ? nx.length - ny.length : compareBytes(nx, ny, false);
    } else if (x.digit !== y.digit) {
      c = x.digit ? -1 : 1;
    } else {
      c = compareBytes(x.bytes, y.bytes, true);
    }
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  if (ra.length !== rb.length) return ra.length < rb.length ? -1 : 1;
  const c = compareBytes(ba, bb, false);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}
