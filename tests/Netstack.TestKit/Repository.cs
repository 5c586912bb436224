namespace Netstack.TestKit;

/// <summary>The checkout the tests run from.</summary>
public static class Repository
{
    private static readonly Lazy<string> RootDirectory = new(Find);

    /// <summary>The folder holding Netstack.sln, found upwards from the test binaries.</summary>
    public static string Root => RootDirectory.Value;

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Netstack.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("Netstack.sln not found above " + AppContext.BaseDirectory);
    }
}
