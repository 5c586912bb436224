using Xunit;

namespace Netstack.Ipam.Tests;

public sealed class AddressSetTests
{
    [Fact]
    public void Add_AdjacentValues_MergeIntoOneRun()
    {
        var set = new AddressSet();
        set.Add(5);
        set.Add(7);
        Assert.Equal(2, set.RunCount);

        set.Add(6);

        Assert.Equal(1, set.RunCount);
        Assert.Equal((UInt128)3, set.Count);
        Assert.False(set.Add(6));
    }

    [Fact]
    public void Remove_MiddleOfRun_SplitsIt()
    {
        var set = new AddressSet();
        for (UInt128 i = 1; i <= 5; i++)
        {
            set.Add(i);
        }

        Assert.True(set.Remove(3));

        Assert.Equal(2, set.RunCount);
        Assert.False(set.Contains(3));
        Assert.True(set.Contains(2));
        Assert.True(set.Contains(4));
        Assert.False(set.Remove(3));
    }

    [Fact]
    public void FirstFree_SkipsTakenRun_AndRespectsUpperBound()
    {
        var set = new AddressSet();
        set.Add(1);
        set.Add(2);
        set.Add(3);

        Assert.Equal((UInt128)4, set.FirstFree(1, 10));
        Assert.Equal((UInt128)0, set.FirstFree(0, 10));
        Assert.Null(set.FirstFree(1, 3));
    }

    [Fact]
    public void NextFree_WrapsAroundToLow()
    {
        var set = new AddressSet();
        set.Add(9);
        set.Add(10);

        Assert.Equal((UInt128)2, set.NextFree(9, 2, 10));
        Assert.Equal((UInt128)5, set.NextFree(5, 2, 10));
    }

    [Fact]
    public void HugeValues_IPv6Sized_Work()
    {
        var set = new AddressSet();
        var big = UInt128.MaxValue - 1;
        set.Add(big);
        set.Add(UInt128.MaxValue);

        Assert.Null(set.FirstFree(big, UInt128.MaxValue));
        Assert.Equal(1, set.RunCount);
    }
}
