using Netstack.Runtime.Storage;
using Xunit;

namespace Netstack.Runtime.Tests.Storage;

public sealed class RootfsMountsTests
{
    [Theory]
    [InlineData("/plain/path", "/plain/path")]
    [InlineData(@"/with\040space", "/with space")]
    [InlineData(@"/tab\011and\134backslash", "/tab\tand\\backslash")]
    [InlineData(@"/not\08octal", @"/not\08octal")]
    public void Unescape_MountinfoOctalEscapes(string field, string expected) =>
        Assert.Equal(expected, RootfsMounts.Unescape(field));

    [Fact]
    public void IsMountPoint_RootIsAndATempDirIsNot()
    {
        Assert.True(RootfsMounts.IsMountPoint("/"));
        var dir = Directory.CreateTempSubdirectory("nst-unit-");
        try
        {
            Assert.False(RootfsMounts.IsMountPoint(dir.FullName));
        }
        finally
        {
            dir.Delete();
        }
    }
}
