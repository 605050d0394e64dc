"""Writes safetensors files with the standard library and NumPy alone (the safetensors package is
not installed here): an 8-byte little-endian header length, the JSON header padded to 8 bytes,
then each tensor's little-endian bytes in order."""
import json
import struct

import numpy as np

DTYPES = {np.dtype('float32'): 'F32', np.dtype('float64'): 'F64', np.dtype('int64'): 'I64',
          np.dtype('int32'): 'I32', np.dtype('uint8'): 'U8', np.dtype('bool'): 'BOOL'}


def save(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name, array in tensors.items():
        a = np.array(array, order='C')  # ascontiguousarray would make a scalar 1-d
        data = a.astype(a.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': DTYPES[a.dtype], 'shape': list(a.shape),
                        'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(',', ':')).encode()
    raw += b' ' * (-len(raw) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)
