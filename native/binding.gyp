{
  "targets": [
    {
      "target_name": "zoobot_native",
      "sources": ["zoobot_native.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions"],
      "libraries": ["-ldnnl", "-lgomp"]
    }
  ]
}
