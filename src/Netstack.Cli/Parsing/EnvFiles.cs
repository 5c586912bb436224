namespace Netstack.Cli.Parsing;

/// <summary>
/// <c>--env-file</c> in Docker's format: one variable a line, <c>KEY=VALUE</c> taken as it is (no
/// quotes removed, blanks kept), <c>KEY</c> alone copied from the client's environment (dropped when
/// unset), blank lines and lines starting with <c>#</c> skipped, leading blanks ignored.
/// </summary>
internal static class EnvFiles
{
    /// <exception cref="FormatException">The file cannot be read, or a variable name is empty or holds blanks; the message names the file and the line.</exception>
    public static List<string> Read(string path, Func<string, string?> environment)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"invalid argument '{path}' for --env-file: {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}", e);
        }
        var entries = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            // A UTF-8 byte order mark on the first line is not part of the name.
            var line = (i == 0 ? lines[i].TrimStart('\uFEFF') : lines[i]).TrimStart();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? line : line[..eq];
            if (name.Length == 0 || name.Any(char.IsWhiteSpace))
            {
                throw new FormatException($"invalid argument '{path}' for --env-file: line {i + 1}: variable name \"{name}\" is empty or contains blanks");
            }
            if (eq >= 0)
            {
                entries.Add(line);
            }
            else if (environment(name) is { } value)
            {
                entries.Add(name + "=" + value);
            }
        }
        return entries;
    }
}
