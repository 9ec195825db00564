/**
 * One planned scene position of a persona.
 * @example
 * const slots: SceneSlotSpec[] = planScenes({ scenes: 10 });
 */
export interface SceneSlotSpec {
  /** Position in the persona's scene list, from 1. */
  position: number;
  /** Whether the scene offers APIs. The first scenes offer none, as in the release. */
  tools: boolean;
  /** "common": a category of the list adapted to the persona; "specific": invented for this persona. */
  source: "common" | "specific";
}

/**
 * How many scenes of each kind a persona gets.
 * @example
 * planScenes({ scenes: 10, noApiScenes: 3 } satisfies ScenePlanCounts);
 */
export interface ScenePlanCounts {
  /** Scenes in all. */
  scenes: number;
  /** Scenes without APIs, first in the list. @default max(1, round(0.3 × scenes)) */
  noApiScenes?: number;
  /** Person-specific scenes, last in the list. @default round(0.3 × scenes) when scenes ≥ 3, else 0 */
  specificScenes?: number;
}

/**
 * Plans the scene positions of a persona in the release's order: first the
 * scenes without APIs (common categories), then common categories with APIs,
 * then person-specific scenes with APIs. The defaults give the release's 3
 * scenes without APIs out of 10.
 *
 * @param counts - Scene count, and optionally how many are without APIs and how many person-specific.
 * @returns One spec per position, in order.
 * @throws Error when the counts do not fit together.
 * @example
 * planScenes({ scenes: 10 }).filter((slot) => !slot.tools).length; // 3
 */
export function planScenes(counts: ScenePlanCounts): SceneSlotSpec[] {
  const total = counts.scenes;
  if (!Number.isInteger(total) || total < 1) throw new Error(`scenes must be a positive integer, got ${total}`);
  const specific = counts.specificScenes ?? (total >= 3 ? Math.round(0.3 * total) : 0);
  if (specific < 0 || specific >= total) {
    throw new Error(`specificScenes must be from 0 to ${total - 1} (at least one scene comes from the category list), got ${specific}`);
  }
  const common = total - specific;
  const noApi = counts.noApiScenes ?? Math.max(1, Math.round(0.3 * total));
  if (noApi < 0 || noApi > common) {
    throw new Error(`noApiScenes must be from 0 to ${common} (scenes without APIs come from the category list), got ${noApi}`);
  }
  return Array.from({ length: total }, (_, i) => ({
    position: i + 1,
    tools: i >= noApi,
    source: i < common ? ("common" as const) : ("specific" as const),
  }));
}
