import { sparkPoints } from "@/lib/history";

const W = 160;
const H = 32;

/**
 * A small line chart of `values` (oldest left), drawn as plain SVG: a chart library would be more
 * code than the chart. `mark` draws a dashed threshold line (e.g. the degrade threshold).
 */
export function Sparkline({
  values,
  max,
  mark,
  label,
  testId,
  tone,
}: {
  values: number[];
  max?: number;
  mark?: number;
  label: string;
  testId: string;
  tone: "error" | "age";
}) {
  const top = Math.max(max ?? 0, ...values) || 1;
  const markY = mark !== undefined && mark <= top ? H - (mark / top) * H : null;
  return (
    <svg
      className={`spark spark--${tone}`}
      viewBox={`-1 -2 ${W + 2} ${H + 4}`}
      width={W}
      height={H}
      role="img"
      aria-label={label}
      data-testid={testId}
      data-points={values.length}
    >
      {markY !== null && <line className="spark__mark" x1={0} x2={W} y1={markY} y2={markY} />}
      {values.length > 0 && <polyline className="spark__line" points={sparkPoints(values, W, H, top)} />}
    </svg>
  );
}
