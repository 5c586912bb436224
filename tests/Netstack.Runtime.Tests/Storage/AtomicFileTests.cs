using Netstack.Runtime.Storage;
using Xunit;

namespace Netstack.Runtime.Tests.Storage;

public sealed class AtomicFileTests
{
    [Fact]
    public void WriteAllBytes_ReplacesContentAndLeavesNoTemporaryFile()
    {
        var dir = Directory.CreateTempSubdirectory("nst-unit-");
        try
        {
            var path = Path.Combine(dir.FullName, "record.json");
            AtomicFile.WriteAllBytes(path, "first"u8);
            AtomicFile.WriteAllBytes(path, "second"u8);
            Assert.Equal("second", File.ReadAllText(path));
            Assert.Equal(["record.json"], Directory.GetFiles(dir.FullName).Select(Path.GetFileName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
