// Galaxy images to model input in the browser, as zoobot-ts/node reads them in Node: 8-bit pixels,
// greyscale as the rounded mean of R, G and B, scaled to [0, 1].

/** Decodes the image at `url` and returns its pixels `[height, width, channels]` in [0, 1]. */
export async function loadPixels(url: string, height: number, width: number, channels: 1 | 3): Promise<Float32Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
  // No colour management or premultiplication: the file's bytes are the pixels.
  const bitmap = await createImageBitmap(await response.blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new Error('no 2D canvas context');
  context.drawImage(bitmap, 0, 0, width, height); // resamples only when the sizes differ
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const out = new Float32Array(height * width * channels);
  for (let p = 0; p < height * width; p += 1) {
    const [r, g, b] = [rgba[4 * p]!, rgba[4 * p + 1]!, rgba[4 * p + 2]!];
    if (channels === 1) out[p] = Math.round((r + g + b) / 3) / 255;
    else out.set([r / 255, g / 255, b / 255], 3 * p);
  }
  return out;
}
