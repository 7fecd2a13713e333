namespace Hearth.Hub;

/// <summary>What a pull reports as it goes (a terminal progress bar, or one line per step when output is redirected).</summary>
public interface IPullProgress
{
    /// <summary>A step or a notice: resolving, using the cache, retrying, a hash mismatch and what was deleted.</summary>
    void Message(string text);

    /// <summary>A file starts (or resumes: <paramref name="alreadyHave"/> bytes were kept from an earlier attempt).</summary>
    void FileStarted(string file, long size, long alreadyHave);

    /// <summary><paramref name="done"/> of the file's bytes are now on disk.</summary>
    void FileProgress(string file, long done);

    /// <summary>The file is verified and in the cache.</summary>
    void FileFinished(string file);
}

/// <summary>Reports nothing.</summary>
internal sealed class NoPullProgress : IPullProgress
{
    public static readonly NoPullProgress Instance = new();

    public void Message(string text)
    {
    }

    public void FileStarted(string file, long size, long alreadyHave)
    {
    }

    public void FileProgress(string file, long done)
    {
    }

    public void FileFinished(string file)
    {
    }
}
