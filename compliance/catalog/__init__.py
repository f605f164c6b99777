"""The GB/T 22239-2019 control catalog: every lettered item of the general requirements, as data."""
