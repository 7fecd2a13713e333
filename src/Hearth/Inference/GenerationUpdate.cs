namespace Hearth.Inference;

/// <summary>
/// One step of a <see cref="Generation"/>: the sampled token and the text that became visible with it (empty while bytes
/// of a character or a possible stop string are held back; control tokens never add text). The last update of a
/// generation has <see cref="Finished"/> set and <see cref="TokenId"/> -1; its <see cref="Text"/> is whatever was held
/// back until the end.
/// </summary>
/// <param name="TokenId">The sampled token, or -1 for the final update.</param>
/// <param name="Text">The text that became visible with it.</param>
/// <param name="Finished">Set on the final update: why the generation ended and its token counts.</param>
public readonly record struct GenerationUpdate(int TokenId, string Text, GenerationStats? Finished = null);
