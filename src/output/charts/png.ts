import {Resvg} from '@resvg/resvg-js'

/**
 * An SVG chart as PNG bytes at twice its size (sharp on slides), through resvg (Rust, shipped as a
 * prebuilt binary inside its npm package: nothing is downloaded or compiled at install). Text uses
 * the system's fonts; the charts name DejaVu Sans first, which Debian installs with most desktops
 * (and .ci/run installs).
 */
export function svgToPng(svg: string): Uint8Array {
  const width = Number(/<svg[^>]*\swidth="(\d+)"/.exec(svg)?.[1] ?? 900)
  const resvg = new Resvg(svg, {
    fitTo: {mode: 'width', value: width * 2},
    background: '#ffffff',
    font: {loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans'},
  })
  return resvg.render().asPng()
}
