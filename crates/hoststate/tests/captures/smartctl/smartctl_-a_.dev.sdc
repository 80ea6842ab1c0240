smartctl 7.2 2020-12-30 r5155 [x86_64-linux-5.14.0] (local build)
Copyright (C) 2002-20, Bruce Allen, Christian Franke, www.smartmontools.org

Smartctl open device: /dev/sdc failed: No such device
