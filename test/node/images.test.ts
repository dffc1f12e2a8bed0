import { mkdtemp, readdir, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { decodeImageFile, toChannels } from '../../src/node/images.js';
import { hasSharedData, sharedDataPath } from '../helpers/sharedData.js';

let dir = '';
const W = 5;
const H = 3;
/** An RGBA image whose channels are distinct functions of the pixel index. */
const rgba = Uint8Array.from({ length: W * H * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 37 + (i % 4) * 11) % 256));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zoobot-images-'));
  const png = new PNG({ width: W, height: H });
  png.data = Buffer.from(rgba);
  await writeFile(join(dir, 'rgb.png'), PNG.sync.write(png));
  const bytes = await readFile(join(dir, 'rgb.png'));
  await writeFile(join(dir, 'truncated.png'), bytes.subarray(0, Math.floor(bytes.length / 2)));
  await writeFile(join(dir, 'notes.png'), 'this is not an image');
});

describe('decodeImageFile', () => {
  it('should return the exact pixels of a PNG, alpha dropped', async () => {
    const image = await decodeImageFile(join(dir, 'rgb.png'));
    expect([image.width, image.height, image.channels]).toEqual([W, H, 3]);
    const expected = Array.from({ length: W * H * 3 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)]);
    expect(Array.from(image.data)).toEqual(expected);
  });

  it('should make greyscale as the rounded mean of the three channels', async () => {
    const grey = await decodeImageFile(join(dir, 'rgb.png'), { channels: 1 });
    const expected = Array.from({ length: W * H }, (_, p) => Math.round(((rgba[p * 4] ?? 0) + (rgba[p * 4 + 1] ?? 0) + (rgba[p * 4 + 2] ?? 0)) / 3));
    expect(Array.from(grey.data)).toEqual(expected);
    expect(Array.from(toChannels(grey, 3).data.slice(0, 3))).toEqual([expected[0], expected[0], expected[0]]);
  });

  it.each([
    ['truncated.png', /truncated.png: not a readable/],
    ['notes.png', /notes.png: not a readable/],
    ['missing.png', /missing.png: cannot read image \(ENOENT\)/],
  ])('should reject %s with a DataError naming it', async (name, message) => {
    const attempt = decodeImageFile(join(dir, name));
    await expect(attempt).rejects.toBeInstanceOf(DataError);
    await expect(decodeImageFile(join(dir, name))).rejects.toThrow(message);
  });

  it('should resize with sharp', async () => {
    const image = await decodeImageFile(join(dir, 'rgb.png'), { size: 8, channels: 1 });
    expect([image.width, image.height, image.channels, image.data.length]).toEqual([8, 8, 1, 64]);
  });
});

describe.skipIf(!hasSharedData('gz_decals_rings_images', 'images'))('real Galaxy Zoo images', () => {
  it('should decode DECaLS PNGs as 424x424 RGB', async () => {
    const folder = sharedDataPath('gz_decals_rings_images', 'images');
    const names = (await readdir(folder)).slice(0, 3);
    for (const name of names) {
      const image = await decodeImageFile(join(folder, name));
      expect([image.width, image.height, image.channels]).toEqual([424, 424, 3]);
      expect(image.data.some((v) => v > 0)).toBe(true);
    }
  });

  it.skipIf(!hasSharedData('gz_hubble_ferengi', 'images'))('should decode the GZ Hubble FERENGI JPEGs', async () => {
    const folder = sharedDataPath('gz_hubble_ferengi', 'images');
    const [name] = await readdir(folder);
    const image = await decodeImageFile(join(folder, name ?? ''), { channels: 1 });
    expect([image.width, image.height, image.channels]).toEqual([424, 424, 1]);
  });
});
