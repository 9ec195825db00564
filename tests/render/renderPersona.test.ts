import { z } from "zod";
import { defaultPersonaSchema } from "../../src/index.js";
import { renderPersona, countTokens } from "../../src/render.js";

describe("renderPersona", () => {
  it("renders known fields by group and omits unknown ones", () => {
    const text = renderPersona(
      {
        Demographics: { Name: "张伟", Age: 50, Language: ["中文", "English"] },
        Preference: { Preferred_Styles: "Elegant, poetic" },
      },
      defaultPersonaSchema,
    );
    expect(text).toBe(
      "Demographics — Name: 张伟; Age: 50; Language: 中文, English\nPreference — Preferred Styles: Elegant, poetic",
    );
    expect(text).not.toMatch(/Personality|Pattern|Gender/);
  });

  it("renders an empty or missing persona as an empty string", () => {
    expect(renderPersona({}, defaultPersonaSchema)).toBe("");
    expect(renderPersona(null, defaultPersonaSchema)).toBe("");
  });

  it("renders top-level fields of a flat custom schema", () => {
    const schema = z.object({ nickname: z.string().optional(), likes: z.array(z.string()).optional() });
    expect(renderPersona({ nickname: "Kai", likes: ["tea"] }, schema)).toBe("nickname: Kai; likes: tea");
  });

  it("counts tokens offline with the bundled o200k_base ranks", () => {
    expect(countTokens("hello world")).toBe(2);
    expect(countTokens("")).toBe(0);
  });
});
