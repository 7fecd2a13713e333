namespace Hearth;

/// <summary>
/// One step of a streamed generation: the token id and the text that became visible with it. <see cref="Text"/> is
/// empty while bytes of a multi-byte character or a possible stop string are held back. A final element with
/// <see cref="Id"/> -1 carries text that was held back until generation ended.
/// </summary>
public readonly record struct GeneratedToken(int Id, string Text);
